package dev.switchboard.bench.overhead;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A plain nginx reverse proxy in front of one upstream, the baseline an operator would otherwise put
 * in front of engines: the configuration (written to a fresh temporary directory that also holds the
 * pid file, logs and temp paths) listens on 127.0.0.1 only, streams responses unbuffered (SSE) over
 * upstream keep-alive connections, and logs no access. {@link #close()} stops nginx and deletes the
 * directory.
 */
public final class NginxProxy implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final int port;

    private NginxProxy(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** The {@code nginx} executable on {@code PATH}, if any. */
    public static Optional<Path> findOnPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String entry : path.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(entry, "nginx");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * The configuration for a proxy on {@code 127.0.0.1:listenPort} to {@code upstreamHost:upstreamPort},
     * keeping its files in {@code dir}.
     */
    public static String config(Path dir, int listenPort, String upstreamHost, int upstreamPort) {
        String d = dir.toAbsolutePath().toString();
        return String.join("\n",
                "# written by switchboard bench overhead; deleted when the run ends",
                "daemon off;",
                "worker_processes 1;",
                "pid " + d + "/nginx.pid;",
                "error_log " + d + "/error.log warn;",
                "events { worker_connections 4096; }",
                "http {",
                "    access_log off;",
                "    client_body_temp_path " + d + "/client_body;",
                "    proxy_temp_path " + d + "/proxy;",
                "    fastcgi_temp_path " + d + "/fastcgi;",
                "    uwsgi_temp_path " + d + "/uwsgi;",
                "    scgi_temp_path " + d + "/scgi;",
                "    upstream engine {",
                "        server " + upstreamHost + ":" + upstreamPort + ";",
                "        keepalive 128;",
                "    }",
                "    server {",
                "        listen 127.0.0.1:" + listenPort + ";",
                "        client_max_body_size 64m;",
                "        location / {",
                "            proxy_pass http://engine;",
                "            proxy_http_version 1.1;",
                "            proxy_set_header Connection \"\";",
                "            proxy_set_header Host $host;",
                "            proxy_buffering off;",
                "            proxy_request_buffering off;",
                "            proxy_read_timeout 600s;",
                "        }",
                "    }",
                "}",
                "");
    }

    /**
     * Starts {@code nginx} proxying to {@code upstream} (scheme, host and port; the path is kept by the
     * caller) and waits until it accepts connections.
     *
     * @throws IllegalStateException if nginx does not come up within 10 s (with its error log)
     */
    public static NginxProxy start(Path nginx, URI upstream) {
        Objects.requireNonNull(nginx, "nginx");
        if (!"http".equalsIgnoreCase(upstream.getScheme())) {
            throw new IllegalArgumentException("the nginx baseline proxies plain http, but the direct URL is " + upstream);
        }
        int upstreamPort = upstream.getPort() > 0 ? upstream.getPort() : 80;
        Path dir;
        try {
            dir = Files.createTempDirectory("switchboard-bench-nginx");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for nginx: " + e.getMessage(), e);
        }
        Process process = null;
        try {
            int port = freePort();
            Path conf = dir.resolve("nginx.conf");
            Files.writeString(conf, config(dir, port, upstream.getHost(), upstreamPort));
            process = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-c", conf.toString(), "-e",
                    dir.resolve("error.log").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("nginx exited with code " + process.exitValue() + ": " + logs(dir));
                }
                if (accepts(port)) {
                    return new NginxProxy(process, dir, port);
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("nginx did not listen on 127.0.0.1:" + port + " within 10 s: " + logs(dir));
        } catch (IOException e) {
            stop(process);
            delete(dir);
            throw new UncheckedIOException("cannot start nginx: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(process);
            delete(dir);
            throw new IllegalStateException("interrupted while starting nginx");
        } catch (RuntimeException e) {
            stop(process);
            delete(dir);
            throw e;
        }
    }

    /** The proxy's base URL ({@code http://127.0.0.1:PORT}). */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop(process);
        delete(dir);
    }

    private static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.destroy(); // SIGTERM: nginx's fast shutdown, workers included
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String logs(Path dir) {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("error.log", "stdout.log")) {
            try {
                Path f = dir.resolve(name);
                if (Files.exists(f)) {
                    out.append(Files.readString(f).strip()).append(' ');
                }
            } catch (IOException e) {
                // best effort: the message is for a human
            }
        }
        String s = out.toString().strip();
        return s.isEmpty() ? "(no log output)" : s.length() > 800 ? s.substring(0, 800) + "..." : s;
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "nginx on %s (config in %s)", baseUrl(), dir);
    }
}

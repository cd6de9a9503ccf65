package dev.switchboard.observability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Files of the repository under test, YAML reading and running of external tools. */
final class Repo {
    static final Path ROOT = Path.of(System.getProperty("switchboard.root", "..")).toAbsolutePath().normalize();
    static final Path DASHBOARDS = ROOT.resolve("dashboard/grafana/dashboards");
    static final Path PROMETHEUS = ROOT.resolve("dashboard/prometheus");
    static final Path METRICS_DOC = ROOT.resolve("docs/metrics.md");
    static final Path COMPOSE = ROOT.resolve("docker-compose.yml");
    static final Path NACOS_CONFIG = ROOT.resolve("registry-config/src/main/resources/nacos");
    /** Where this module writes what it generates (Prometheus data, configs, service logs). */
    static final Path WORK = ROOT.resolve("observability-tests/target/observability");

    private Repo() {
    }

    static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All YAML documents of a file (Spring profile documents are separated by ---). */
    static List<Object> yamlDocuments(Path path) {
        List<Object> docs = new ArrayList<>();
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(read(path))) {
            if (doc != null) {
                docs.add(doc);
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path path) {
        Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(read(path));
        return doc == null ? Map.of() : (Map<String, Object>) doc;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        return value == null ? List.of() : (List<Object>) value;
    }

    /**
     * Flattens a YAML tree into Spring-style property keys ({@code a.b.c}, lists as {@code a.b[0].c}),
     * each mapped to its scalar value.
     */
    static Map<String, Object> flatten(Object tree) {
        Map<String, Object> out = new LinkedHashMap<>();
        flatten("", tree, out);
        return out;
    }

    private static void flatten(String prefix, Object value, Map<String, Object> out) {
        if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                flatten(prefix.isEmpty() ? key : prefix + "." + key, e.getValue(), out);
            }
        } else if (value instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                flatten(prefix + "[" + i + "]", l.get(i), out);
            }
        } else {
            out.put(prefix, value);
        }
    }

    /** The application*.yml files of a module's main resources. */
    static List<Path> applicationYamls(String module) {
        Path resources = ROOT.resolve(module).resolve("src/main/resources");
        try (Stream<Path> files = Files.list(resources)) {
            return files.filter(p -> p.getFileName().toString().matches("application(-[a-z0-9]+)?\\.ya?ml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether an executable is on PATH. */
    static boolean onPath(String executable) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, executable))) {
                return true;
            }
        }
        return false;
    }

    /** The result of an external command. */
    record Run(int exitCode, String output) {
    }

    /** Runs a command in {@code dir} with a time bound; output is stdout and stderr together. */
    static Run run(Path dir, long timeoutSeconds, String... command) {
        try {
            Path out = Files.createTempFile("observability-tests", ".out");
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeoutSeconds + "s");
            }
            String output = Files.readString(out);
            Files.deleteIfExists(out);
            return new Run(p.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

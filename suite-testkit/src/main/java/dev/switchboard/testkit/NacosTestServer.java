package dev.switchboard.testkit;

import java.time.Duration;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The Nacos server a Nacos-path test runs against: the one at {@code NACOS_SERVER_ADDR} (with
 * {@code NACOS_USERNAME} / {@code NACOS_PASSWORD}, default {@code nacos}) when set, else a Nacos 3.0.3
 * container; the calling test is skipped (a JUnit assumption) when neither is available, as in CI
 * without Docker. Close it to stop the container.
 */
public final class NacosTestServer implements AutoCloseable {
    private static final String IMAGE = "nacos/nacos-server:v3.0.3";

    private final String serverAddr;
    private final String username;
    private final String password;
    private final int grpcPortOffset;
    private final GenericContainer<?> container;

    private NacosTestServer(String serverAddr, int grpcPortOffset, GenericContainer<?> container) {
        this.serverAddr = serverAddr;
        this.username = System.getenv().getOrDefault("NACOS_USERNAME", "nacos");
        this.password = System.getenv().getOrDefault("NACOS_PASSWORD", "nacos");
        this.grpcPortOffset = grpcPortOffset;
        this.container = container;
    }

    /**
     * The configured server, or a started container, or a skipped test.
     *
     * @param test what is skipped without a server, for the skip message
     */
    public static NacosTestServer startOrSkip(String test) {
        String configured = System.getenv("NACOS_SERVER_ADDR");
        if (configured != null && !configured.isBlank()) {
            return new NacosTestServer(configured, 0, null);
        }
        Assumptions.assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
                "no NACOS_SERVER_ADDR and no Docker: skipping " + test);
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withEnv("MODE", "standalone")
                .withEnv("NACOS_AUTH_ENABLE", "false")
                // Nacos 3 refuses to start without these, even with auth disabled
                .withEnv("NACOS_AUTH_TOKEN", "U3dpdGNoYm9hcmRUZXN0T25seVNlY3JldEtleUZvck5hY29zMzJCeXRlcw==")
                .withEnv("NACOS_AUTH_IDENTITY_KEY", "switchboard")
                .withEnv("NACOS_AUTH_IDENTITY_VALUE", "switchboard")
                .withExposedPorts(8848, 9848)
                .waitingFor(Wait.forLogMessage(".*Nacos started successfully.*", 1).withStartupTimeout(Duration.ofMinutes(3)));
        container.start();
        int http = container.getMappedPort(8848);
        // clients reach gRPC at the HTTP port + offset; Docker maps the two ports independently, and the
        // Nacos client of this JVM reads the offset from this property
        int offset = container.getMappedPort(9848) - http;
        System.setProperty("nacos.server.grpc.port.offset", Integer.toString(offset));
        return new NacosTestServer(container.getHost() + ":" + http, offset, container);
    }

    /** {@code host:port} of the server's HTTP API. */
    public String serverAddr() {
        return serverAddr;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** gRPC port minus HTTP port when not Nacos's default 1000 (a container's mapped ports), else 0. */
    public int grpcPortOffset() {
        return grpcPortOffset;
    }

    @Override
    public void close() {
        if (container != null) {
            container.stop();
        }
    }
}

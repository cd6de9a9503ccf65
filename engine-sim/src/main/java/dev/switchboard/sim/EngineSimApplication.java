package dev.switchboard.sim;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Simulated inference engines: one process serves several engines, each on its own port with the
 * HTTP surface of a vLLM server. The process's own web port serves only actuator endpoints.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class EngineSimApplication {
    public static void main(String[] args) {
        SpringApplication.run(EngineSimApplication.class, args);
    }
}

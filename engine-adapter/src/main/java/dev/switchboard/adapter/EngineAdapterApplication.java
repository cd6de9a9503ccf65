package dev.switchboard.adapter;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The sidecar beside inference engines. Each fronted engine gets its own listener port, which is the
 * address registered in discovery; the process's own web port serves actuator and admin endpoints.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class EngineAdapterApplication {
    public static void main(String[] args) {
        SpringApplication.run(EngineAdapterApplication.class, args);
    }
}

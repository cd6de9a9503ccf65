package dev.switchboard.support.json;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.context.annotation.Bean;

import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.json.JsonMapper;

/**
 * Registers {@link BlockHashJson#module()} on Boot's JSON mapper, so every codec of a service (WebFlux
 * controllers, {@code WebClient}s) writes and reads block hashes in their wire encoding.
 */
@AutoConfiguration(before = JacksonAutoConfiguration.class)
@ConditionalOnClass(JsonMapper.class)
public class BlockHashJsonAutoConfiguration {

    @Bean
    JacksonModule blockHashJsonModule() {
        return BlockHashJson.module();
    }
}

package dev.switchboard.gateway.lb;

import java.net.URI;
import java.util.Map;

import org.springframework.cloud.client.ServiceInstance;

import dev.switchboard.contract.MetadataKeys;
import dev.switchboard.contract.wire.ScheduleDecision;

/** The adapter chosen by the scheduler, carrying the whole decision for the filters after load balancing. */
public record ScheduledInstance(ScheduleDecision decision) implements ServiceInstance {

    @Override
    public String getInstanceId() {
        return decision.decode().id();
    }

    @Override
    public String getServiceId() {
        return MetadataKeys.ENGINES_SERVICE;
    }

    @Override
    public String getHost() {
        return decision.decode().host();
    }

    @Override
    public int getPort() {
        return decision.decode().port();
    }

    @Override
    public boolean isSecure() {
        return false;
    }

    @Override
    public URI getUri() {
        return URI.create(decision.decode().baseUrl());
    }

    @Override
    public Map<String, String> getMetadata() {
        return Map.of(MetadataKeys.ENDPOINT_ID, decision.decode().id());
    }
}

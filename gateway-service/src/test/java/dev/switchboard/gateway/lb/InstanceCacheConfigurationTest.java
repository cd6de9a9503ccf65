package dev.switchboard.gateway.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.cache.caffeine.CaffeineCache;
import org.springframework.cloud.loadbalancer.cache.CaffeineBasedLoadBalancerCacheManager;
import org.springframework.cloud.loadbalancer.cache.LoadBalancerCacheProperties;
import org.springframework.cloud.loadbalancer.core.CachingServiceInstanceListSupplier;

import com.github.benmanes.caffeine.cache.Cache;

/** The rebuilt instance cache keeps the settings Spring Cloud LoadBalancer's own would have. */
class InstanceCacheConfigurationTest {

    @Test
    void keepsTheConfiguredTimeToLive() {
        LoadBalancerCacheProperties properties = new LoadBalancerCacheProperties();
        properties.setTtl(Duration.ofSeconds(7));
        Cache<Object, Object> cache = nativeCache(new InstanceCacheConfiguration().sameThreadLoadBalancerCacheManager(properties));
        assertThat(cache.policy().expireAfterWrite()).hasValueSatisfying(
                expiry -> assertThat(expiry.getExpiresAfter(TimeUnit.SECONDS)).isEqualTo(7));
    }

    @Test
    void aCaffeineSpecWinsAsInSpringCloud() {
        LoadBalancerCacheProperties properties = new LoadBalancerCacheProperties();
        properties.getCaffeine().setSpec("initialCapacity=4,expireAfterWrite=3s");
        Cache<Object, Object> cache = nativeCache(new InstanceCacheConfiguration().sameThreadLoadBalancerCacheManager(properties));
        assertThat(cache.policy().expireAfterWrite()).hasValueSatisfying(
                expiry -> assertThat(expiry.getExpiresAfter(TimeUnit.SECONDS)).isEqualTo(3));
    }

    @Test
    void servesReadsAndWrites() {
        CaffeineBasedLoadBalancerCacheManager manager = new InstanceCacheConfiguration()
                .sameThreadLoadBalancerCacheManager(new LoadBalancerCacheProperties());
        var cache = manager.getCache(CachingServiceInstanceListSupplier.SERVICE_INSTANCE_CACHE_NAME);
        for (int i = 0; i < 1_000; i++) {
            cache.put("service-" + (i % 3), i);
            assertThat(cache.get("service-" + (i % 3)).get()).isEqualTo(i);
        }
    }

    private static Cache<Object, Object> nativeCache(CaffeineBasedLoadBalancerCacheManager manager) {
        return ((CaffeineCache) manager.getCache(CachingServiceInstanceListSupplier.SERVICE_INSTANCE_CACHE_NAME)).getNativeCache();
    }
}

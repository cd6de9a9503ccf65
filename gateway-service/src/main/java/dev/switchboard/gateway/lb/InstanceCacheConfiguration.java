package dev.switchboard.gateway.lb;

import org.springframework.cloud.loadbalancer.cache.CaffeineBasedLoadBalancerCacheManager;
import org.springframework.cloud.loadbalancer.cache.LoadBalancerCacheProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;

import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Spring Cloud LoadBalancer's cache of discovered instances, as its auto-configuration builds it
 * ({@code spring.cloud.loadbalancer.cache.*}: the Caffeine spec if one is set, else capacity and TTL), with one
 * change: Caffeine's upkeep runs on the thread that reads the cache instead of being handed to
 * {@code ForkJoinPool.commonPool()}. Every request reads this cache (the scheduler's instances), and the
 * hand-off woke a pool thread every few reads, a context switch on a 2-core machine for a few
 * microseconds of bookkeeping on a cache of a handful of entries.
 */
@Configuration(proxyBeanMethods = false)
class InstanceCacheConfiguration {

    @Bean
    CaffeineBasedLoadBalancerCacheManager sameThreadLoadBalancerCacheManager(LoadBalancerCacheProperties properties) {
        CaffeineBasedLoadBalancerCacheManager manager = new CaffeineBasedLoadBalancerCacheManager(properties);
        String spec = properties.getCaffeine().getSpec();
        Caffeine<Object, Object> builder = StringUtils.hasText(spec)
                ? Caffeine.from(spec)
                : Caffeine.newBuilder().initialCapacity(properties.getCapacity()).expireAfterWrite(properties.getTtl()).softValues();
        manager.setCaffeine(builder.executor(Runnable::run));
        return manager;
    }
}

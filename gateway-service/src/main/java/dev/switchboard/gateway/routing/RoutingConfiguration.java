package dev.switchboard.gateway.routing;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.config.HttpClientSslConfigurer;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.switchboard.support.netty.ReadBatchCoalescer;

/**
 * The routing filter pair: {@link EventLoopLocalRoutingFilter} in place of Spring Cloud Gateway's
 * {@code NettyRoutingFilter} (switched off in application.yml with
 * {@code global-filter.netty-routing.enabled: false}, which also switches off the response filter that
 * goes with it), and that response filter, unchanged. Engine connections join the body pieces that
 * arrive in one read ({@link ReadBatchCoalescer}), so the filters and the client write run once per read
 * rather than once per token.
 */
@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

    @Bean
    EventLoopLocalRoutingFilter eventLoopLocalRoutingFilter(HttpClientProperties properties, ServerProperties server,
            HttpClientSslConfigurer ssl, List<HttpClientCustomizer> customizers,
            ObjectProvider<List<HttpHeadersFilter>> headersFilters) {
        return new EventLoopLocalRoutingFilter(properties, server, ssl, customizers, headersFilters);
    }

    @Bean
    HttpClientCustomizer readBatchCoalescing() {
        return ReadBatchCoalescer::install;
    }

    @Bean
    NettyWriteResponseFilter nettyWriteResponseFilter(GatewayProperties gateway,
            ObjectProvider<List<HttpHeadersFilter>> headersFilters) {
        return new NettyWriteResponseFilter(gateway.getStreamingMediaTypes(), headersFilters);
    }
}

package dev.switchboard.gateway.routing;

import java.util.List;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.cloud.gateway.config.HttpClientFactory;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.config.HttpClientSslConfigurer;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.RouteMetadataUtils;
import org.springframework.web.server.ServerWebExchange;

import dev.switchboard.support.netty.EventLoopLocal;
import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;

/**
 * Spring Cloud Gateway's routing filter with one engine connection pool per event loop (see
 * {@link EventLoopLocal}): a request is routed over a connection on the event loop it is handled on, so
 * the tokens streamed back reach the client's connection without crossing threads. The gateway asks the
 * scheduler on the same loop ({@code SchedulerClient}), so a request's three connections (client,
 * scheduler, adapter) share one loop from start to end.
 *
 * <p>Each pool's client is made by Spring Cloud Gateway's own {@link HttpClientFactory}, so every
 * {@code spring.cloud.gateway.server.webflux.httpclient.*} setting and {@link HttpClientCustomizer}
 * applies as to the filter it replaces. A route's own {@code connect-timeout} still costs a client copy
 * per request, as in the original; the routes here use the global one.
 */
public class EventLoopLocalRoutingFilter extends NettyRoutingFilter implements DisposableBean {
    private final EventLoopLocal<HttpClient> clients;
    private final Integer globalConnectTimeout;

    public EventLoopLocalRoutingFilter(HttpClientProperties properties, ServerProperties server,
            HttpClientSslConfigurer ssl, List<HttpClientCustomizer> customizers,
            ObjectProvider<List<HttpHeadersFilter>> headersFilters) {
        this(new EventLoopLocal<>(new ClientFactory(properties, server, ssl, customizers)::newClient,
                client -> client.configuration().connectionProvider().dispose()), properties, headersFilters);
    }

    private EventLoopLocalRoutingFilter(EventLoopLocal<HttpClient> clients, HttpClientProperties properties,
            ObjectProvider<List<HttpHeadersFilter>> headersFilters) {
        super(clients.on(null), headersFilters, properties);
        this.clients = clients;
        this.globalConnectTimeout = properties.getConnectTimeout();
    }

    @Override
    protected HttpClient getHttpClient(Route route, ServerWebExchange exchange) {
        HttpClient client = clients.onCurrentLoop();
        Object routeTimeout = route.getMetadata().get(RouteMetadataUtils.CONNECT_TIMEOUT_ATTR);
        if (routeTimeout == null || routeTimeout.equals(globalConnectTimeout)) {
            return client; // the factory applied the global connect timeout already
        }
        return client.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Integer.parseInt(routeTimeout.toString()));
    }

    @Override
    public void destroy() {
        clients.dispose();
    }

    /** Spring Cloud Gateway's factory, asked for a new client (with a new pool) per event loop. */
    private static final class ClientFactory extends HttpClientFactory {
        ClientFactory(HttpClientProperties properties, ServerProperties server, HttpClientSslConfigurer ssl,
                List<HttpClientCustomizer> customizers) {
            super(properties, server, ssl, customizers);
        }

        HttpClient newClient() {
            return createInstance();
        }
    }
}

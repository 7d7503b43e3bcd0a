package dev.agentstack.runtime;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.impl.BlockingHandlerDecorator;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.MainHttpServer;

/**
 * {@code GET /metrics} on the {@code prometheus-port}, as agent-stack-k8s served it, so scrape configs and PodMonitors
 * written for the original keep working. It is Camel's main HTTP server, a listener of its own beside the management
 * port, and it serves the same registry as {@code /observe/metrics}; nothing else is routed to it.
 */
final class PrometheusPortEndpoint {

    static final String PATH = "/metrics";
    /** The Prometheus text format, version 0.0.4, which every scraper accepts. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusPortEndpoint() {}

    /** The Camel properties that open the listener; none when the port is 0. */
    static Properties properties(int port) {
        Properties p = new Properties();
        if (port > 0) {
            p.setProperty("camel.server.enabled", "true");
            p.setProperty("camel.server.port", String.valueOf(port));
        }
        return p;
    }

    static void install(CamelContext context, PrometheusMeterRegistry registry) {
        MainHttpServer server = context.hasService(MainHttpServer.class);
        if (server == null || server.getRouter() == null || registry == null) {
            return;
        }
        Route route = server.getRouter().route(PATH);
        route.method(HttpMethod.GET);
        // Scraping walks every meter: off the event loop.
        route.handler(new BlockingHandlerDecorator(
                ctx -> ctx.response().putHeader("content-type", CONTENT_TYPE).end(registry.scrape()), true));
    }
}

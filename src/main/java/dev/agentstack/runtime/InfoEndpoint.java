package dev.agentstack.runtime;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.util.json.JsonObject;

/**
 * {@code GET /observe/info} on the management port: what is running, as the version command prints it. Camel's own
 * info page names Camel's version, not ours, so the controller serves this one instead (camel.management.info-enabled
 * stays off).
 */
final class InfoEndpoint {

    static final String PATH = "/observe/info";

    private InfoEndpoint() {}

    static void install(CamelContext context) {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        if (server == null || server.getRouter() == null) {
            return;
        }
        JsonObject body = new JsonObject();
        body.put("name", Version.PRODUCT);
        body.put("version", Version.get());
        body.put("build", Version.build());
        body.put("camel", context.getVersion());
        body.put("java", Runtime.version().toString());
        String json = body.toJson();
        Route route = server.getRouter().route(PATH);
        route.method(HttpMethod.GET);
        route.produces("application/json");
        route.handler(ctx ->
                ctx.response().putHeader("content-type", "application/json").end(json));
    }
}

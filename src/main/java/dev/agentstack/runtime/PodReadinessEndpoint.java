package dev.agentstack.runtime;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.impl.BlockingHandlerDecorator;
import java.util.Collection;
import java.util.function.Predicate;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;

/**
 * {@code GET /observe/health/pod} on the management port: the pod's readiness probe, which is readiness without the
 * leader and Buildkite checks. A standby must stay Ready in Kubernetes' eyes, or Camel's leader election would never
 * let it take over and a rolling update would wait for it forever; and a Buildkite outage must not move leadership.
 */
final class PodReadinessEndpoint {

    static final String PATH = "/observe/health/pod";

    private PodReadinessEndpoint() {}

    static void install(CamelContext context) {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        if (server == null || server.getRouter() == null) {
            return;
        }
        Route route = server.getRouter().route(PATH);
        route.method(HttpMethod.GET);
        route.produces("application/json");
        route.handler(new BlockingHandlerDecorator(
                ctx -> {
                    // The filter returns true for checks to leave out.
                    Predicate<HealthCheck> leaveOut = check ->
                            !check.isReadiness() || ControllerHealth.NOT_FOR_POD_READINESS.contains(check.getId());
                    Collection<HealthCheck.Result> results = HealthCheckHelper.invoke(context, leaveOut);
                    boolean up = HealthCheckHelper.isResultsUp(results, true);
                    JsonObject body = new JsonObject();
                    body.put("status", up ? "UP" : "DOWN");
                    JsonArray down = new JsonArray();
                    results.stream()
                            .filter(r -> r.getState() == HealthCheck.State.DOWN)
                            .forEach(r -> {
                                JsonObject c = new JsonObject();
                                c.put("name", r.getCheck().getId());
                                c.put("status", "DOWN");
                                r.getMessage().ifPresent(m -> c.put("message", m));
                                down.add(c);
                            });
                    if (!down.isEmpty()) {
                        body.put("checks", down);
                    }
                    ctx.response()
                            .putHeader("content-type", "application/json")
                            .setStatusCode(up ? 200 : 503)
                            .end(body.toJson());
                },
                true));
    }
}

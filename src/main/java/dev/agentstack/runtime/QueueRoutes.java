package dev.agentstack.runtime;

import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.QueueConfig;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.spi.RouteTemplateParameterSource;

/**
 * Each queue's scheduling routes, made from the route templates of schedule-jobs.camel.yaml and from
 * fail-invalid-jobs: Camel creates a route for every id this {@link RouteTemplateParameterSource} bean lists, once the
 * YAML templates are loaded, in Camel Main and in {@code camel run} alike.
 */
public final class QueueRoutes implements RouteTemplateParameterSource {

    /**
     * The templates, each instantiated once per queue as {@code <template>-<queue>}: fail-invalid-jobs is in
     * buildkite-actions.camel.yaml, so a user's replacement of schedule-jobs.camel.yaml need not carry it.
     */
    public static final List<String> TEMPLATES = List.of("schedule-jobs", "create-jobs", "fail-invalid-jobs");

    /**
     * The template a queue's schedule-jobs route is made from when jobs come from the Stacks API
     * (schedule-stack-jobs.camel.yaml); it takes the queue's stack key, cluster queue key and tags as well.
     */
    public static final String STACKS_SOURCE_TEMPLATE = "schedule-stack-jobs";

    private final Map<String, Map<String, Object>> routes = new LinkedHashMap<>();

    public QueueRoutes(List<String> queues) {
        for (String queue : queues) {
            for (String template : TEMPLATES) {
                routes.put(routeId(template, queue), Map.of(TEMPLATE_ID, template, "queue", queue));
            }
        }
    }

    /** Each queue's routes, with the source buildkite-api chooses. */
    public static QueueRoutes of(ControllerConfig config) {
        QueueRoutes r =
                new QueueRoutes(config.queues().stream().map(QueueConfig::name).toList());
        if (config.usesStacksApi()) {
            for (QueueConfig queue : config.queues()) {
                r.routes.put(
                        routeId("schedule-jobs", queue.name()),
                        Map.of(
                                TEMPLATE_ID,
                                STACKS_SOURCE_TEMPLATE,
                                "queue",
                                queue.name(),
                                "stackKey",
                                config.stackKey(queue),
                                "queueKey",
                                config.stackQueueKey(queue),
                                "tags",
                                String.join(",", queue.tags())));
            }
        }
        return r;
    }

    /** The id of a queue's route made from a template, e.g. {@code schedule-jobs-kubernetes}. */
    public static String routeId(String template, String queue) {
        return template + "-" + queue;
    }

    @Override
    public Map<String, Object> parameters(String routeId) {
        return new LinkedHashMap<>(routes.get(routeId));
    }

    @Override
    public Set<String> routeIds() {
        return new LinkedHashSet<>(routes.keySet());
    }
}

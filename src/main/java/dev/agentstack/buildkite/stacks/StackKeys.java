package dev.agentstack.buildkite.stacks;

import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.QueueConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The key of the Stacks API stack that serves each queue ({@link ControllerConfig#stackKey}: the controller's
 * {@code id}, or {@code <id>-<queue>} for each of {@code queues:}), by the value of the queue tag, so that whatever
 * finishes or notes a job uses the stack that reserved it.
 */
public final class StackKeys {

    private final Map<String, String> byQueue = new LinkedHashMap<>();
    private final String first;

    public StackKeys(ControllerConfig config) {
        for (QueueConfig q : config.queues()) {
            byQueue.put(q.name(), config.stackKey(q));
        }
        first = byQueue.values().iterator().next();
    }

    /** The stack key of a queue (the value of its queue tag); the first queue's for one we do not serve. */
    public String ofQueue(String queue) {
        return queue == null ? first : byQueue.getOrDefault(queue, first);
    }

    /** The stack key for a job with these agent tags ({@code queue=<name>}, ...). */
    public String ofTags(List<String> tags) {
        for (String tag : tags) {
            if (tag.startsWith("queue=")) {
                return ofQueue(tag.substring("queue=".length()));
            }
        }
        return first;
    }
}

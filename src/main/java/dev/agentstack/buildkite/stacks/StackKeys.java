package dev.agentstack.buildkite.stacks;

import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.QueueConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The key of the Stacks API stack that serves each queue: the controller's {@code id} when it serves one queue; with
 * {@code queues:}, one stack per queue, {@code <id>-<queue>} (letters, digits, {@code _} and {@code -}, at most 80
 * characters, as Buildkite requires). Whatever reserves a job and whatever finishes or notes it use the same key.
 */
public final class StackKeys {

    static final int MAX_LENGTH = 80;

    private final Map<String, String> byQueue = new LinkedHashMap<>();
    private final String first;

    public StackKeys(ControllerConfig config) {
        List<QueueConfig> queues = config.queues();
        for (QueueConfig q : queues) {
            byQueue.put(q.name(), queues.size() == 1 ? config.id() : key(config.id() + "-" + q.name()));
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

    /** The first queue's stack, which the cancel checker asks about every job's state. */
    public String first() {
        return first;
    }

    private static String key(String raw) {
        String key = raw.replaceAll("[^A-Za-z0-9_-]", "_");
        return key.length() <= MAX_LENGTH ? key : key.substring(0, MAX_LENGTH);
    }
}

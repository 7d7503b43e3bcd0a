package dev.agentstack.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.config.ConfigException;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Option;
import dev.agentstack.config.Options;
import dev.agentstack.config.QueueConfig;
import dev.agentstack.runtime.ClasspathFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The example configs in the demo: {@code examples/configs/NAME.yaml} is the controller config of
 * {@code examples/pipelines/NAME.yaml}, as {@code render} and the golden files pair them. The demo runs one controller
 * for all examples, so each config becomes a {@code queues:} entry of its own named NAME (the controller's default
 * queue with the config's options on top), and that example's jobs for the default queue ask for queue NAME instead.
 * One controller, and each example's jobs are judged under their own config.
 */
final class ExampleQueues {

    static final String FOLDER = "examples/configs";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** What a queues: entry can carry besides its tags; other options are the controller's alone. */
    private static final Set<String> PER_QUEUE = Stream.concat(
                    Stream.of(Options.POD_SPEC_PATCH.key(), Options.MAX_IN_FLIGHT.key()),
                    Options.PER_QUEUE_POLICY.stream().map(Option::key))
            .collect(Collectors.toUnmodifiableSet());

    private final Map<String, Map<String, Object>> configs;

    ExampleQueues(Map<String, Map<String, Object>> configs) {
        this.configs = Collections.unmodifiableMap(new TreeMap<>(configs)); // by name, as listed
    }

    /** The configs of examples/configs: from the working directory when it has them, else from the jar. */
    static ExampleQueues load() {
        Path local = Path.of(FOLDER);
        Map<String, String> files =
                Files.isDirectory(local) ? ClasspathFolder.read(local, ".yaml") : ClasspathFolder.read(FOLDER, ".yaml");
        Map<String, Map<String, Object>> configs = new TreeMap<>();
        files.forEach((file, text) -> configs.put(file.replaceFirst("\\.yaml$", ""), parse(file, text)));
        return new ExampleQueues(configs);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String file, String text) {
        Map<String, Object> options;
        try {
            options = YAML.readValue(text, Map.class);
        } catch (IOException e) {
            throw new ConfigException(FOLDER + "/" + file + ": not valid YAML");
        }
        for (String key : options.keySet()) {
            if (!PER_QUEUE.contains(key)) {
                throw new ConfigException(FOLDER + "/" + file + ": " + key + " cannot be set for one queue, so the"
                        + " demo cannot apply it to that example alone");
            }
        }
        return options;
    }

    /** The example names that have a config. */
    Set<String> names() {
        return configs.keySet();
    }

    /**
     * The demo's queues: the controller's (its queues: entries, or its default queue from tags), then one per example
     * config, which takes the default queue's tags with its own queue name.
     */
    List<Map<String, Object>> queues(ControllerConfig base) {
        List<Map<String, Object>> queues = new ArrayList<>(base.get(Options.QUEUES));
        if (queues.isEmpty()) {
            queues.add(Map.of("tags", base.tags()));
        }
        List<String> defaultTags = base.queues().get(0).tags();
        configs.forEach((name, options) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("tags", withQueue(defaultTags, name));
            entry.putAll(options);
            queues.add(entry);
        });
        return queues;
    }

    /** The job as the demo schedules it: a job of an example with a config, for the default queue, asks for its own. */
    BuildkiteJob retag(String example, BuildkiteJob job, ControllerConfig base) {
        QueueConfig defaultQueue = base.queues().get(0);
        if (!configs.containsKey(example) || !defaultQueue.name().equals(job.tag("queue"))) {
            return job;
        }
        return new BuildkiteJob(
                job.id(),
                job.uuid(),
                job.command(),
                withQueue(job.agentQueryRules(), example),
                job.priority(),
                job.scheduledAt(),
                job.env());
    }

    private static List<String> withQueue(List<String> tags, String queue) {
        return tags.stream()
                .map(t -> t.startsWith("queue=") ? "queue=" + queue : t)
                .toList();
    }
}

package dev.agentstack.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Option;
import dev.agentstack.config.Options;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table of pipeline steps the pod policy must refuse ({@code src/test/resources/hostile-pipelines.yaml}), shared
 * by the render, controller and cluster tests.
 *
 * @param options controller options as a config file gives them; empty for the defaults
 */
public record HostilePipelines(
        String name, Map<String, Object> options, Map<String, Object> step, String rule, String path) {

    public static final String RESOURCE = "/hostile-pipelines.yaml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public static List<HostilePipelines> all() {
        try (InputStream in = HostilePipelines.class.getResourceAsStream(RESOURCE)) {
            List<Map<String, Object>> entries = YAML.readValue(in, new TypeReference<>() {});
            return entries.stream().map(HostilePipelines::of).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static HostilePipelines of(Map<String, Object> e) {
        Map<String, Object> options = (Map<String, Object>) e.getOrDefault("options", Map.of());
        Map<String, Object> step = new LinkedHashMap<>((Map<String, Object>) e.get("step"));
        step.putIfAbsent("label", e.get("name"));
        return new HostilePipelines(
                (String) e.get("name"), options, step, (String) e.get("rule"), (String) e.get("path"));
    }

    /** The entry as a pipeline file: its one step, on the controller's default queue. */
    public String pipelineYaml() {
        try {
            return YAML.writeValueAsString(Map.of("agents", Map.of("queue", "kubernetes"), "steps", List.of(step)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entry's options as a config file. */
    public String configYaml() {
        try {
            return options.isEmpty() ? "{}\n" : YAML.writeValueAsString(options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets the entry's options on a configuration being built. */
    public ControllerConfig.Builder apply(ControllerConfig.Builder b) {
        options.forEach((key, value) -> {
            Option<?> option = Options.byKey(key);
            if (option == null) {
                throw new IllegalArgumentException(name + ": unknown option " + key);
            }
            b.setFromYaml(option, value);
        });
        return b;
    }

    @Override
    public String toString() {
        return name;
    }
}

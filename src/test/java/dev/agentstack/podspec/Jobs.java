package dev.agentstack.podspec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Option;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test fixtures: jobs with a kubernetes plugin written as YAML, configurations, and lookups into built Jobs. */
final class Jobs {

    static final String UUID = "0198c0de-1111-4222-8333-444455556666";
    static final String BUILD_URL = "https://buildkite.com/o/p/builds/1";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private Jobs() {}

    /**
     * A job whose step has this kubernetes plugin (YAML; null for none), command "echo hi" and tag queue=kubernetes.
     */
    static BuildkiteJob job(String pluginYaml, String... env) {
        List<String> all = new ArrayList<>();
        all.add("BUILDKITE_BUILD_URL=" + BUILD_URL);
        if (pluginYaml != null) {
            all.add("BUILDKITE_PLUGINS=" + plugins(PluginParser.PLUGIN_KEY, pluginYaml));
        }
        all.addAll(List.of(env));
        return new BuildkiteJob(null, UUID, "echo hi", List.of("queue=kubernetes"), 0, null, all);
    }

    static String plugins(String key, String pluginYaml) {
        try {
            Object body = YAML.readValue(pluginYaml, Object.class);
            Map<String, Object> plugin = new LinkedHashMap<>();
            plugin.put(key, body);
            return JSON.writeValueAsString(List.of(plugin));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A configuration from option/value pairs, values as a config file would write them. */
    static ControllerConfig config(Object... pairs) {
        ControllerConfig.Builder b = ControllerConfig.builder();
        for (int i = 0; i < pairs.length; i += 2) {
            Object value = pairs[i + 1] instanceof String s && s.startsWith("{") ? yaml(s) : pairs[i + 1];
            b.setFromYaml((Option<?>) pairs[i], value);
        }
        return b.build();
    }

    static Object yaml(String text) {
        try {
            return YAML.readValue(text, Object.class);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Job build(BuildkiteJob job, ControllerConfig config) {
        return build(job, config, PodTemplateLookup.OFFLINE);
    }

    static Job build(BuildkiteJob job, ControllerConfig config, PodTemplateLookup lookup) {
        BuildResult result = PodSpecBuilder.build(job, config, lookup);
        assertThat(result.valid())
                .as(() -> "build failed: " + (result.valid() ? "" : result.reason()))
                .isTrue();
        return result.job();
    }

    static Job build(String pluginYaml, Object... configPairs) {
        return build(job(pluginYaml), config(configPairs));
    }

    static String failure(BuildkiteJob job, ControllerConfig config) {
        BuildResult result = PodSpecBuilder.build(job, config);
        assertThat(result.valid()).as("build should fail").isFalse();
        return result.reason();
    }

    static String failure(String pluginYaml, Object... configPairs) {
        return failure(job(pluginYaml), config(configPairs));
    }

    static PodSpec pod(Job job) {
        return job.getSpec().getTemplate().getSpec();
    }

    static Container container(Job job, String name) {
        return pod(job).getContainers().stream()
                .filter(c -> name.equals(c.getName()))
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError("no container " + name + " in " + names(pod(job).getContainers())));
    }

    static Container initContainer(Job job, String name) {
        return pod(job).getInitContainers().stream()
                .filter(c -> name.equals(c.getName()))
                .findFirst()
                .orElseThrow(() ->
                        new AssertionError("no init container " + name + " in " + names(pod(job).getInitContainers())));
    }

    static List<String> names(List<Container> containers) {
        return containers.stream().map(Container::getName).toList();
    }

    /** name=value (or name=<from ...> for valueFrom), in order. */
    static List<String> env(Container c) {
        List<String> out = new ArrayList<>();
        for (EnvVar e : c.getEnv()) {
            out.add(e.getName() + "="
                    + (e.getValueFrom() == null
                            ? e.getValue()
                            : e.getValueFrom().getSecretKeyRef() != null
                                    ? "<secret "
                                            + e.getValueFrom().getSecretKeyRef().getName()
                                            + "/"
                                            + e.getValueFrom().getSecretKeyRef().getKey() + ">"
                                    : "<field " + e.getValueFrom().getFieldRef().getFieldPath() + ">"));
        }
        return out;
    }

    static String envValue(Container c, String name) {
        return c.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue)
                .findFirst()
                .orElse(null);
    }

    /** name@mountPath, in order. */
    static List<String> mounts(Container c) {
        return c.getVolumeMounts().stream().map(Jobs::mount).toList();
    }

    static String mount(VolumeMount m) {
        return m.getName() + "@" + m.getMountPath()
                + (m.getSubPathExpr() != null ? "(" + m.getSubPathExpr() + ")" : "");
    }

    static List<String> envFrom(Container c) {
        return c.getEnvFrom().stream()
                .map(e -> e.getSecretRef() != null
                        ? "secret:" + e.getSecretRef().getName()
                        : "configMap:" + e.getConfigMapRef().getName())
                .toList();
    }
}

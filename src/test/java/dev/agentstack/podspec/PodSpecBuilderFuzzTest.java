package dev.agentstack.podspec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.testing.ApiServerRules;
import dev.agentstack.testing.FuzzValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

/**
 * The builder on random and mutated kubernetes-plugin configurations (wrong types, huge values, deep nesting, invalid
 * names, unicode): it never throws or hangs, and gives either a Job the API server would accept or a reason the job's
 * log can show. 100 cases per property here; the soak profile runs 1,000 ({@code -Djqwik.tries.default}).
 */
class PodSpecBuilderFuzzTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final ControllerConfig CONFIG = ControllerConfig.builder().build();

    /** Valid configurations to start mutating from, covering each of the plugin's fields. */
    static final List<String> VALID_PLUGINS = List.of(
            "{podSpec: {containers: [{image: alpine, command: [echo, hi]}]}, checkout: {cloneFlags: --depth 1}}",
            "{podSpec: {containers: [{image: a}, {image: b}, {image: a}]}, sidecars: [{image: c}],"
                    + " metadata: {labels: {z: '1', a: '2'}, annotations: {y: '1', b: '2'}}}",
            "{podSpec: {containers: [{image: alpine, env: [{name: A, value: b}], resources: {requests: {cpu: 500m,"
                    + " memory: 1Gi}, limits: {memory: 2Gi}}}], securityContext: {runAsUser: 1000, runAsGroup: 2000}}}",
            "{podSpecPatch: {containers: [{name: container-0, image: alpine:3.20, resources: {requests: {cpu:"
                    + " 500m}}}]}}",
            "{sidecars: [{image: nginx, envFrom: [{secretRef: {name: own}}]}, {name: db, image: postgres}],"
                    + " sidecarParams: {envFrom: [{secretRef: {name: plugin}}], extraVolumeMounts: [{name: p,"
                    + " mountPath: /p}]},"
                    + " gitEnvFrom: [{secretRef: {name: git}}], extraVolumeMounts: [{name: x, mountPath: /x}],"
                    + " podSpec: {volumes: [{name: p, emptyDir: {}}, {name: x, emptyDir: {}}]}}",
            "{podSpec: {initContainers: [{name: setup, image: busybox, command: [sh, -c, 'true']}],"
                    + " containers: [{image: alpine, imagePullPolicy: Always}]}, jobActiveDeadlineSeconds: 60}",
            "{commandParams: {interposer: vector, envFrom: [{secretRef: {name: plugin}}],"
                    + " extraVolumeMounts: [{name: p, mountPath: /p}]}, podSpec: {volumes: [{name: p, emptyDir: {}}]}}",
            "{checkout: {skip: true}, podSpec: {containers: [{image: alpine, workingDir: /w, args: [a, b]}]}}",
            "{checkout: {gitMirrors: {path: /m, volume: {name: mirrors, emptyDir: {}}}, fetchFlags: -v}}",
            "{podTemplate: ''}");

    /**
     * The plugin's own keys and those of the objects inside it, so random configurations reach past the first check.
     */
    private static final List<String> KEYS = List.of(
            "podSpec",
            "podSpecPatch",
            "podTemplate",
            "gitEnvFrom",
            "sidecars",
            "metadata",
            "extraVolumeMounts",
            "checkout",
            "commandParams",
            "sidecarParams",
            "jobActiveDeadlineSeconds",
            "containers",
            "initContainers",
            "volumes",
            "name",
            "image",
            "command",
            "args",
            "env",
            "envFrom",
            "resources",
            "requests",
            "limits",
            "cpu",
            "memory",
            "volumeMounts",
            "mountPath",
            "labels",
            "annotations",
            "skip",
            "imagePullPolicy",
            "securityContext",
            "emptyDir",
            "interposer",
            "$patch",
            "value",
            "valueFrom");

    @Property(shrinking = ShrinkingMode.OFF)
    void mutatedPluginConfigurations(@ForAll long seed) {
        FuzzValues fuzz = new FuzzValues(seed);
        Object plugin = FuzzValues.copy(yaml(fuzz.pick(VALID_PLUGINS)));
        for (int n = 1 + fuzz.nextInt(4); n > 0; n--) {
            plugin = fuzz.mutate(plugin);
        }
        check(job(fuzz, pluginsJson(plugin)));
    }

    @Property(shrinking = ShrinkingMode.OFF)
    void randomPluginConfigurations(@ForAll long seed) {
        FuzzValues fuzz = new FuzzValues(seed);
        check(job(fuzz, pluginsJson(randomTree(fuzz, 4))));
    }

    @Property(shrinking = ShrinkingMode.OFF)
    void randomPluginsJson(@ForAll long seed) {
        FuzzValues fuzz = new FuzzValues(seed);
        String json = switch (fuzz.nextInt(5)) {
            // nested far past Jackson's and the stack's limits, written by hand (a writer would refuse)
            case 0 -> "[{\"kubernetes\": {\"podSpec\": " + "[".repeat(2000 + fuzz.nextInt(100_000)) + "]}]";
            case 1 -> "[{\"kubernetes\": " + "{\"a\":".repeat(1 + fuzz.nextInt(5000)) + "1" + "}".repeat(10) + "}]";
            case 2 -> fuzz.randomUnicode(fuzz.nextInt(200));
            case 3 -> pluginsJson(fuzz.value(4));
            default ->
                "[{\"kubernetes\": {\"podSpec\": {\"containers\": [" + "{\"image\": \"x\"},".repeat(fuzz.nextInt(3000))
                        + "{}]}}}]";
        };
        check(job(fuzz, json));
    }

    /** A tree made of the plugin's keys and random values. */
    private static Object randomTree(FuzzValues fuzz, int depth) {
        if (depth <= 0 || fuzz.chance(0.25)) {
            return fuzz.value(1);
        }
        if (fuzz.chance(0.3)) {
            List<Object> list = new ArrayList<>();
            for (int i = fuzz.nextInt(4); i > 0; i--) {
                list.add(randomTree(fuzz, depth - 1));
            }
            return list;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = fuzz.nextInt(5); i > 0; i--) {
            map.put(fuzz.chance(0.85) ? fuzz.pick(KEYS) : fuzz.string(), randomTree(fuzz, depth - 1));
        }
        return map;
    }

    /** A job carrying the plugin, with a random uuid, command, image and extra env now and then. */
    private static BuildkiteJob job(FuzzValues fuzz, String pluginsJson) {
        List<String> env = new ArrayList<>();
        env.add("BUILDKITE_BUILD_URL=https://buildkite.com/o/p/builds/1");
        env.add("BUILDKITE_PLUGINS=" + pluginsJson);
        if (fuzz.chance(0.2)) {
            env.add("BUILDKITE_IMAGE=" + fuzz.string());
        }
        if (fuzz.chance(0.1)) {
            env.add(fuzz.string() + "=" + fuzz.string());
        }
        String uuid = fuzz.chance(0.9)
                ? new java.util.UUID(fuzz.random().nextLong(), fuzz.random().nextLong()).toString()
                : fuzz.string();
        String command = fuzz.chance(0.5) ? "echo hi" : fuzz.string();
        List<String> tags = fuzz.chance(0.9) ? List.of("queue=kubernetes") : List.of(fuzz.string(), fuzz.string());
        return new BuildkiteJob(null, uuid, command, tags, 0, null, env);
    }

    /** Builds within the hang guard; a Job must pass the API server's checks and serialise, a failure must say why. */
    static void check(BuildkiteJob job) {
        FuzzValues.withinLimit(LIMIT, () -> {
            BuildResult result = PodSpecBuilder.build(job, CONFIG);
            if (result.valid()) {
                assertThat(ApiServerRules.violations(result.job()))
                        .as("what the API server would refuse")
                        .isEmpty();
                assertThat(JobYaml.write(result.job())).isNotBlank();
                JSON.writeValueAsString(result.job()); // what the client posts
            } else {
                assertThat(result.reason())
                        .as("failure reason")
                        .isNotBlank()
                        .as("a bug caught by the builder's last resort, not a reason about the input")
                        .doesNotStartWith("agent-stack-camel could not build the Job");
            }
            return null;
        });
    }

    private static String pluginsJson(Object pluginBody) {
        Map<String, Object> plugin = new LinkedHashMap<>();
        plugin.put(PluginParser.PLUGIN_KEY, pluginBody);
        try {
            return JSON.writeValueAsString(List.of(plugin));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object yaml(String text) {
        try {
            return YAML.readValue(text, Object.class);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}

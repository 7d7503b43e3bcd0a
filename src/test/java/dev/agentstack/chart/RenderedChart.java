package dev.agentstack.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.agentstack.config.ConfigLoader;
import dev.agentstack.config.ControllerConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The chart rendered by Helm's own template engine (helm-java, no helm binary), as fabric8 objects: what
 * {@code helm template} would give for one set of values.
 */
final class RenderedChart {

    static final Path CHART = Path.of("chart/agent-stack-camel");
    static final String RELEASE = "ci";
    static final String NAMESPACE = "buildkite";
    /** The chart's kubeVersion floor; without it Helm's client-only rendering assumes v1.20. */
    static final String KUBE_VERSION = "1.29.0";

    private final String manifest;
    private final List<HasMetadata> objects;

    private RenderedChart(String manifest, List<HasMetadata> objects) {
        this.manifest = manifest;
        this.objects = objects;
    }

    /** Renders with a values file (null for the chart's defaults) and more options, e.g. {@code t -> t.set(k, v)}. */
    static RenderedChart render(Path valuesFile, UnaryOperator<TemplateCommand> more) {
        return render(CHART, valuesFile, more);
    }

    /** Renders another copy of the chart, e.g. one a test has changed. */
    static RenderedChart render(Path chart, Path valuesFile, UnaryOperator<TemplateCommand> more) {
        TemplateCommand template = new Helm(chart)
                .template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        String manifest = more.apply(template).call();
        return new RenderedChart(manifest, parse(manifest));
    }

    static RenderedChart render(Path valuesFile) {
        return render(valuesFile, t -> t);
    }

    /** Each YAML document of the manifest, parsed by fabric8 (typed where fabric8 knows the kind). */
    private static List<HasMetadata> parse(String manifest) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : manifest.split("(?m)^---\\s*$")) {
            if (document.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                continue;
            }
            objects.add(Serialization.unmarshal(document, HasMetadata.class));
        }
        return objects;
    }

    String manifest() {
        return manifest;
    }

    List<HasMetadata> objects() {
        return objects;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The one object of this kind; fails when there is none or several. */
    <T extends HasMetadata> T one(Class<T> type) {
        List<T> found = all(type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", rendered " + found.size());
        }
        return found.get(0);
    }

    HasMetadata named(String kind, String name) {
        return objects.stream()
                .filter(o ->
                        o.getKind().equals(kind) && o.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered"));
    }

    Deployment deployment() {
        return one(Deployment.class);
    }

    Container controller() {
        return deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    /** The controller's Role, in the namespace it creates Jobs in. */
    Role role() {
        return (Role) named("Role", RELEASE + "-agent-stack-camel");
    }

    /** The Lease's Role in the release namespace, rendered only with leader election. */
    List<Role> leaderElectionRole() {
        return all(Role.class).stream()
                .filter(r -> r.getMetadata().getName().equals(RELEASE + "-agent-stack-camel-leader-election"))
                .toList();
    }

    ConfigMap configMap(String name) {
        return (ConfigMap) named("ConfigMap", name);
    }

    /** The config.yaml the chart renders for the controller. */
    String configFile() {
        return configMap(RELEASE + "-agent-stack-camel-config").getData().get("config.yaml");
    }

    /**
     * The configuration the controller would start with: the rendered config.yaml read by the real
     * {@link ConfigLoader}, with the container's literal environment variables (agent-stack-k8s' names too) and a
     * GraphQL token (which comes from the Secret), as {@code run} loads it.
     */
    ControllerConfig controllerConfig(Path scratch) {
        return controllerConfig(scratch, Map.of("BUILDKITE_TOKEN", "graphql-token-from-the-secret"), true);
    }

    /**
     * As {@link #controllerConfig(Path)}, with the variables the container takes from Secrets given here.
     *
     * @param connecting as {@code run} (org and token checked) or as {@code render} loads it
     */
    ControllerConfig controllerConfig(Path scratch, Map<String, String> fromSecrets, boolean connecting) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : controller().getEnv()) {
            if (var.getValue() != null && !var.getName().equals("CONFIG")) {
                env.put(var.getName(), var.getValue());
            }
        }
        env.putAll(fromSecrets);
        try {
            Path file = Files.writeString(scratch.resolve("config.yaml"), configFile());
            return ConfigLoader.load(Map.of(), file.toString(), env, connecting, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

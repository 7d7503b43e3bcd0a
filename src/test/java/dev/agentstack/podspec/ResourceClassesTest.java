package dev.agentstack.podspec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** resource-classes: the job tag resource_class (or default-resource-class-name) picks the pod's resources. */
class ResourceClassesTest {

    private static final String CLASSES = """
            {small: {resource: {requests: {cpu: 500m, memory: 1Gi}}},
             gpu: {resource: {requests: {cpu: "4"}, limits: {nvidia.com/gpu: "1", memory: 16Gi}},
                   podResource: {limits: {memory: 20Gi}},
                   nodeSelector: {accelerator: nvidia-l4, pool: gpu}}}""";

    private static BuildkiteJob job(String pluginYaml, String... tags) {
        BuildkiteJob plain = Jobs.job(pluginYaml);
        List<String> rules = new ArrayList<>(plain.agentQueryRules());
        rules.addAll(List.of(tags));
        return new BuildkiteJob(
                plain.id(), plain.uuid(), plain.command(), rules, plain.priority(), plain.scheduledAt(), plain.env());
    }

    private static ControllerConfig classes(Object... more) {
        List<Object> pairs = new ArrayList<>(List.of(Options.RESOURCE_CLASSES, CLASSES));
        pairs.addAll(List.of(more));
        return Jobs.config(pairs.toArray());
    }

    @Test
    void theTaggedClassGoesToEveryCommandContainerAndThePodButNotTheAgentOrCheckout() {
        Job job = Jobs.build(job("""
                podSpec:
                  nodeSelector: {pool: general, zone: a}
                  containers:
                    - name: build
                      image: golang:1.23
                      command: [make]
                      resources: {requests: {cpu: "1", ephemeral-storage: 10Gi}}
                    - image: golang:1.23
                      command: [make, test]
                """, "resource_class=gpu"), classes());

        for (String name : List.of("build", "container-1")) {
            var resources = Jobs.container(job, name).getResources();
            assertThat(resources.getLimits())
                    .containsEntry("nvidia.com/gpu", new Quantity("1"))
                    .containsEntry("memory", new Quantity("16Gi"));
            assertThat(resources.getRequests()).containsEntry("cpu", new Quantity("4"));
        }
        assertThat(Jobs.container(job, "build").getResources().getRequests())
                .containsEntry("ephemeral-storage", new Quantity("10Gi"));
        assertThat(Jobs.pod(job).getNodeSelector())
                .containsExactlyInAnyOrderEntriesOf(Map.of("pool", "gpu", "zone", "a", "accelerator", "nvidia-l4"));
        assertThat(Jobs.pod(job).getResources().getLimits()).containsExactly(Map.entry("memory", new Quantity("20Gi")));
        assertThat(Jobs.container(job, "agent").getResources()).isNull();
        assertThat(Jobs.container(job, "checkout").getResources()).isNull();
        // the agent is given the tag, so the job can be acquired by it
        assertThat(Jobs.envValue(Jobs.container(job, "agent"), "BUILDKITE_AGENT_TAGS"))
                .contains("resource_class=gpu");
    }

    @Test
    void theDefaultClassAppliesWithoutATagAndATagOverridesIt() {
        ControllerConfig config = classes(Options.DEFAULT_RESOURCE_CLASS_NAME, "small");

        Job untagged = Jobs.build(job(null), config);
        assertThat(Jobs.container(untagged, "container-0").getResources().getRequests())
                .containsExactlyInAnyOrderEntriesOf(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("1Gi")));
        assertThat(Jobs.pod(untagged).getNodeSelector()).isNullOrEmpty();

        Job tagged = Jobs.build(job(null, "resource_class=gpu"), config);
        assertThat(Jobs.container(tagged, "container-0").getResources().getRequests())
                .containsExactly(Map.entry("cpu", new Quantity("4")));
    }

    @Test
    void podSpecPatchesComeAfterTheClass() {
        Job job = Jobs.build(job("""
                podSpecPatch:
                  containers:
                    - name: container-0
                      resources: {requests: {cpu: 250m}}
                """, "resource_class=small"), classes());

        assertThat(Jobs.container(job, "container-0").getResources().getRequests())
                .containsExactlyInAnyOrderEntriesOf(Map.of("cpu", new Quantity("250m"), "memory", new Quantity("1Gi")));
    }

    @Test
    void aClassThatCannotBeFoundFailsTheJobWithTheOriginalsMessages() {
        assertThat(Jobs.failure(job(null, "resource_class=small"), Jobs.config()))
                .isEqualTo("resource classes not configured but resource_class tag specified");
        assertThat(Jobs.failure(job(null), Jobs.config(Options.DEFAULT_RESOURCE_CLASS_NAME, "small")))
                .isEqualTo("resource classes not configured but default-resource-class-name is set");
        assertThat(Jobs.failure(job(null, "resource_class=huge"), classes()))
                .isEqualTo("resource class not found: huge");
        assertThat(Jobs.failure(job(null), classes(Options.DEFAULT_RESOURCE_CLASS_NAME, "medium")))
                .isEqualTo("default resource class not found: medium");
    }

    @Test
    void withoutATagOrADefaultNothingChanges() {
        Job job = Jobs.build(job(null), classes());
        assertThat(Jobs.container(job, "container-0").getResources()).isNull();
        assertThat(Jobs.pod(job).getNodeSelector()).isNullOrEmpty();
    }

    @Test
    void aClassKubernetesWouldRejectIsAConfigurationError() {
        assertThatThrownBy(() -> Jobs.config(Options.RESOURCE_CLASSES, "{gpu: {nodeSelector: {'bad key!': x}}}"))
                .hasMessageContaining("resource-classes")
                .hasMessageContaining("gpu.nodeSelector: invalid key \"bad key!\"");
        assertThatThrownBy(() -> Jobs.config(Options.RESOURCE_CLASSES, "{gpu: {resources: {}}}"))
                .hasMessageContaining("gpu.resources: unknown field");
    }
}

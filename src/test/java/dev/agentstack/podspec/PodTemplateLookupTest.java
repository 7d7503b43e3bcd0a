package dev.agentstack.podspec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.config.Options;
import dev.agentstack.sandbox.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.PodTemplateBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

/** podTemplate through the API server (fabric8's mock server in CRUD mode), as the controller wires it. */
class PodTemplateLookupTest {

    @Test
    void readsTheTemplateFromTheControllersNamespace() {
        try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes()) {
            PodTemplate template = new PodTemplateBuilder()
                    .withNewMetadata()
                    .withName("builder")
                    .withNamespace("ci")
                    .addToLabels("ignored", "yes")
                    .endMetadata()
                    .withNewTemplate()
                    .withNewSpec()
                    .withServiceAccountName("builder-sa")
                    .addNewContainer()
                    .withName("build")
                    .withImage("golang:1.23")
                    .endContainer()
                    .endSpec()
                    .endTemplate()
                    .build();
            kubernetes.client().resource(template).inNamespace("ci").create();
            PodSpecBuilder builder = new PodSpecBuilder(
                    Jobs.config(Options.NAMESPACE, "ci"), PodTemplateLookup.inNamespace(kubernetes.client(), "ci"));

            BuildResult found = builder.build(Jobs.job("{podTemplate: builder}"));
            assertThat(found.valid())
                    .as(() -> found.valid() ? "" : found.reason())
                    .isTrue();
            Job job = found.job();
            assertThat(Jobs.pod(job).getServiceAccountName()).isEqualTo("builder-sa");
            assertThat(Jobs.container(job, "build").getImage()).isEqualTo("golang:1.23");
            assertThat(job.getMetadata().getLabels()).doesNotContainKey("ignored");

            BuildResult missing = builder.build(Jobs.job("{podTemplate: nope}"));
            assertThat(missing.reason())
                    .isEqualTo("Error fetching podTemplate \"nope\": podtemplates \"nope\" not found in namespace ci");
        }
    }
}

package dev.agentstack.kubernetes.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.agentstack.sandbox.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Creating a Job with one direct POST behaves as fabric8's own create: same request, same answers, same errors. */
class JobCreateCallTest {

    private static final String JOBS_PATH = "/apis/batch/v1/namespaces/ci/jobs";

    @Test
    void createsTheJobAndReturnsTheStoredMetadataWithTheSpecSent() {
        try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes()) {
            Job job = job("buildkite-1", null);

            Job stored = new JobCreateCall(kubernetes.client(), "ci").create(job);

            assertThat(stored.getMetadata().getName()).isEqualTo("buildkite-1");
            assertThat(stored.getMetadata().getNamespace()).isEqualTo("ci");
            assertThat(stored.getMetadata().getUid()).isNotBlank();
            assertThat(stored.getMetadata().getResourceVersion()).isNotBlank();
            assertThat(stored.getMetadata().getLabels()).containsEntry("buildkite.com/controller-id", "c1");
            assertThat(stored.getSpec()).isSameAs(job.getSpec());
            assertThat(stored.getStatus()).isNotNull();
            Job onServer = kubernetes
                    .client()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace("ci")
                    .withName("buildkite-1")
                    .get();
            assertThat(onServer.getMetadata().getUid())
                    .isEqualTo(stored.getMetadata().getUid());
            assertThat(onServer.getSpec()).isEqualTo(job.getSpec());
        }
    }

    @Test
    void aJobThatExistsFailsWith409AsFabric8sCreateDoes() {
        try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes()) {
            JobCreateCall creations = new JobCreateCall(kubernetes.client(), "ci");
            creations.create(job("buildkite-2", null));

            KubernetesClientException ours = catchThrowableOfType(
                    KubernetesClientException.class, () -> creations.create(job("buildkite-2", null)));
            KubernetesClientException fabric8s = catchThrowableOfType(
                    KubernetesClientException.class,
                    () -> kubernetes
                            .client()
                            .batch()
                            .v1()
                            .jobs()
                            .inNamespace("ci")
                            .resource(job("buildkite-2", null))
                            .create());

            assertThat(ours.getCode()).isEqualTo(409).isEqualTo(fabric8s.getCode());
            assertThat(ours.getStatus()).isEqualTo(fabric8s.getStatus()); // the mock's reason is not the real one's
            assertThat(ours.getMessage()).isEqualTo(fabric8s.getMessage());
        }
    }

    @Test
    void aJobNamingAnotherNamespaceIsCreatedInOursAndLeftAsItWas() {
        try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes()) {
            Job job = job("buildkite-3", "elsewhere");

            Job stored = new JobCreateCall(kubernetes.client(), "ci").create(job);

            assertThat(stored.getMetadata().getNamespace()).isEqualTo("ci");
            assertThat(job.getMetadata().getNamespace()).isEqualTo("elsewhere");
            assertThat(kubernetes
                            .client()
                            .batch()
                            .v1()
                            .jobs()
                            .inNamespace("ci")
                            .withName("buildkite-3")
                            .get()
                            .getSpec())
                    .isEqualTo(job.getSpec());
            assertThat(kubernetes
                            .client()
                            .batch()
                            .v1()
                            .jobs()
                            .inNamespace("elsewhere")
                            .list()
                            .getItems())
                    .isEmpty();
        }
    }

    @Test
    void sendsTheBytesAndHeadersFabric8sCreateSends() throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(false);
        server.init();
        try (KubernetesClient client = clientWithToken(server, Function.identity())) {
            server.expect()
                    .post()
                    .withPath(JOBS_PATH)
                    .andReturn(201, job("buildkite-4", "ci"))
                    .times(2);
            Job job = job("buildkite-4", null);

            client.batch().v1().jobs().inNamespace("ci").resource(job).create();
            RecordedRequest fabric8s = server.takeRequest(5, TimeUnit.SECONDS);
            new JobCreateCall(client, "ci").create(job);
            RecordedRequest ours = server.takeRequest(5, TimeUnit.SECONDS);

            assertThat(ours.getMethod()).isEqualTo("POST");
            assertThat(ours.getPath()).isEqualTo(fabric8s.getPath());
            assertThat(ours.getHeader("Authorization"))
                    .isEqualTo("Bearer not-a-real-token")
                    .isEqualTo(fabric8s.getHeader("Authorization"));
            assertThat(ours.getHeader("User-Agent")).isEqualTo(fabric8s.getHeader("User-Agent"));
            assertThat(ours.getHeader("Content-Type")).isEqualTo(fabric8s.getHeader("Content-Type"));
            assertThat(ours.getBody().readUtf8()).isEqualTo(fabric8s.getBody().readUtf8());
        } finally {
            server.destroy();
        }
    }

    @Test
    void anInvalidJobFailsWithTheApiServersStatusAsFabric8sCreateDoes() {
        KubernetesMockServer server = new KubernetesMockServer(false);
        server.init();
        try (KubernetesClient client = clientWithToken(server, Function.identity())) {
            Status invalid = new StatusBuilder()
                    .withStatus("Failure")
                    .withCode(422)
                    .withReason("Invalid")
                    .withMessage("Job.batch \"buildkite-5\" is invalid: spec.template.spec.containers: Required value")
                    .build();
            server.expect().post().withPath(JOBS_PATH).andReturn(422, invalid).times(2);

            KubernetesClientException ours = catchThrowableOfType(
                    KubernetesClientException.class,
                    () -> new JobCreateCall(client, "ci").create(job("buildkite-5", null)));
            KubernetesClientException fabric8s = catchThrowableOfType(
                    KubernetesClientException.class,
                    () -> client.batch()
                            .v1()
                            .jobs()
                            .inNamespace("ci")
                            .resource(job("buildkite-5", null))
                            .create());

            assertThat(ours.getCode()).isEqualTo(422);
            assertThat(ours.getStatus().getReason()).isEqualTo("Invalid");
            assertThat(ours.getMessage()).contains("Required value").isEqualTo(fabric8s.getMessage());
        } finally {
            server.destroy();
        }
    }

    @Test
    void retriesAnOverloadedApiServerAsTheClientIsConfiguredTo() {
        KubernetesMockServer server = new KubernetesMockServer(false);
        server.init();
        try (KubernetesClient client =
                clientWithToken(server, b -> b.withRequestRetryBackoffLimit(3).withRequestRetryBackoffInterval(10))) {
            server.expect()
                    .post()
                    .withPath(JOBS_PATH)
                    .andReturn(503, "overloaded")
                    .once();
            server.expect()
                    .post()
                    .withPath(JOBS_PATH)
                    .andReturn(201, job("buildkite-6", "ci"))
                    .once();

            Job stored = new JobCreateCall(client, "ci").create(job("buildkite-6", null));

            assertThat(stored.getMetadata().getName()).isEqualTo("buildkite-6");
            assertThat(server.getRequestCount()).isEqualTo(2);
        } finally {
            server.destroy();
        }
    }

    @Test
    void writesEveryJobAsFabric8Does() {
        Job job = new JobBuilder(job("buildkite-7", "ci"))
                .editSpec()
                .withActiveDeadlineSeconds(600L)
                .editTemplate()
                .editSpec()
                .editFirstContainer()
                .withNewResources()
                .addToLimits("cpu", new Quantity("500m"))
                .endResources()
                .addNewPort()
                .withContainerPort(8080)
                .endPort()
                .withNewReadinessProbe()
                .withNewHttpGet()
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .endReadinessProbe()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        job.getMetadata().setAdditionalProperty("futureField", Map.of("a", 1));
        job.getMetadata().getAnnotations().put("nothing", null);

        byte[] ours = JobStatusClient.serialization().asJsonBytes(job);

        assertThat(new String(ours, StandardCharsets.UTF_8)).isEqualTo(new KubernetesSerialization().asJson(job));
    }

    private static Job job(String name, String namespace) {
        return new JobBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(Map.of("buildkite.com/controller-id", "c1"))
                .withAnnotations(new java.util.HashMap<>(Map.of("buildkite.com/job-url", "https://example.test/1")))
                .endMetadata()
                .withNewSpec()
                .withBackoffLimit(0)
                .withNewTemplate()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("agent")
                .withImage("buildkite/agent:3")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static KubernetesClient clientWithToken(
            KubernetesMockServer server, Function<ConfigBuilder, ConfigBuilder> more) {
        Config base = server.createClient().getConfiguration();
        return new KubernetesClientBuilder()
                .withConfig(more.apply(new ConfigBuilder(base).withOauthToken("not-a-real-token"))
                        .build())
                .build();
    }
}

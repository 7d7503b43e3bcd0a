package dev.agentstack.kubernetes.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.sandbox.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Our Jobs are read without their specs; everything else, and the client they were derived from, reads as before. */
class JobStatusClientTest {

    private static final String JOB = """
            {"kind":"Job","apiVersion":"batch/v1",
             "metadata":{"name":"buildkite-1","namespace":"ci","uid":"u-1","resourceVersion":"7",
                         "labels":{"buildkite.com/controller-id":"c1"},"annotations":{"a":"b"}},
             "spec":{"backoffLimit":0,"template":{"spec":{"restartPolicy":"Never",
                     "containers":[{"name":"agent","image":"buildkite/agent:3","env":[{"name":"X","value":"y"}]}]}}},
             "status":{"active":1,"conditions":[{"type":"Failed","status":"True","reason":"BackoffLimitExceeded"}]}}""";

    private final KubernetesSerialization serialization = JobStatusClient.serialization();

    @Test
    void aJobEventKeepsMetadataAndStatusButNotTheSpec() {
        Job job = (Job) event("ADDED", JOB).getObject();

        assertThat(job.getSpec()).isNull();
        assertThat(job.getMetadata().getName()).isEqualTo("buildkite-1");
        assertThat(job.getMetadata().getResourceVersion()).isEqualTo("7");
        assertThat(job.getMetadata().getLabels()).containsEntry("buildkite.com/controller-id", "c1");
        assertThat(job.getMetadata().getAnnotations()).containsEntry("a", "b");
        assertThat(job.getStatus().getActive()).isEqualTo(1);
        assertThat(job.getStatus().getConditions())
                .singleElement()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("BackoffLimitExceeded"));
    }

    @Test
    void aJobWhoseSpecComesBeforeItsKindIsReadTheSame() {
        String specFirst = "{\"spec\":{\"backoffLimit\":0},\"kind\":\"Job\",\"apiVersion\":\"batch/v1\","
                + "\"metadata\":{\"name\":\"buildkite-2\"},\"status\":{\"succeeded\":1}}";

        Job job = (Job) event("MODIFIED", specFirst).getObject();

        assertThat(job.getSpec()).isNull();
        assertThat(job.getMetadata().getName()).isEqualTo("buildkite-2");
        assertThat(job.getStatus().getSucceeded()).isEqualTo(1);
    }

    @Test
    void anErrorEventStillCarriesItsStatus() {
        WatchEvent error = event(
                "ERROR",
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                        + "\"status\":\"Failure\",\"message\":\"too old resource version\","
                        + "\"reason\":\"Expired\",\"code\":410}");

        assertThat(error.getObject()).isInstanceOfSatisfying(Status.class, s -> {
            assertThat(s.getCode()).isEqualTo(410);
            assertThat(s.getReason()).isEqualTo("Expired");
        });
    }

    @Test
    void otherKindsKeepTheirSpec() {
        WatchEvent event = event(
                "ADDED",
                "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"p\"},"
                        + "\"spec\":{\"containers\":[{\"name\":\"agent\",\"image\":\"buildkite/agent:3\"}]}}");

        assertThat(event.getObject())
                .isInstanceOfSatisfying(
                        Pod.class,
                        p -> assertThat(p.getSpec().getContainers())
                                .singleElement()
                                .satisfies(c -> assertThat(c.getImage()).isEqualTo("buildkite/agent:3")));
    }

    @Test
    void aResponseBodyIsReadAsJsonAndYamlStillGoesToFabric8() {
        Job fromBody = serialization.unmarshal(
                new java.io.ByteArrayInputStream(("  \n" + JOB).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                new com.fasterxml.jackson.core.type.TypeReference<Job>() {});
        Pod fromYaml = serialization.unmarshal("kind: Pod\napiVersion: v1\nmetadata:\n  name: p\n", Pod.class);
        Job fromString = serialization.unmarshal("\n" + JOB, Job.class);

        assertThat(fromBody.getMetadata().getUid()).isEqualTo("u-1");
        assertThat(fromBody.getSpec()).isNull();
        assertThat(fromYaml.getMetadata().getName()).isEqualTo("p");
        assertThat(fromString.getStatus().getActive()).isEqualTo(1);
    }

    @Test
    void aJobIsStillWrittenWithItsSpec() {
        Job job = new JobBuilder()
                .withNewMetadata()
                .withName("j")
                .endMetadata()
                .withNewSpec()
                .withBackoffLimit(0)
                .endSpec()
                .build();

        assertThat(serialization.asJson(job)).contains("\"backoffLimit\":0");
    }

    @Test
    void watchesAndListsJobsWithoutSpecsWhileTheOriginalClientReadsThemWhole() {
        try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes()) {
            KubernetesClient client = kubernetes.client();
            KubernetesClient reading = JobStatusClient.of(client);
            assertThat(JobStatusClient.of(client)).isSameAs(reading);
            List<Job> seen = new CopyOnWriteArrayList<>();
            try (Watch ignored = reading.batch().v1().jobs().inNamespace("ci").watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Job job) {
                    seen.add(job);
                }

                @Override
                public void onClose(WatcherException cause) {}
            })) {
                client.resource(new JobBuilder()
                                .withNewMetadata()
                                .withName("buildkite-3")
                                .withNamespace("ci")
                                .withLabels(Map.of("buildkite.com/controller-id", "c1"))
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
                                .build())
                        .create();

                await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
            }

            assertThat(seen.get(0).getMetadata().getLabels()).containsEntry("buildkite.com/controller-id", "c1");
            assertThat(seen.get(0).getSpec()).isNull();
            assertThat(reading.batch().v1().jobs().inNamespace("ci").list().getItems())
                    .singleElement()
                    .satisfies(j -> assertThat(j.getSpec()).isNull());
            // The shared HTTP client is still open, and the original client's reads are whole.
            assertThat(client.batch()
                            .v1()
                            .jobs()
                            .inNamespace("ci")
                            .withName("buildkite-3")
                            .get()
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers())
                    .hasSize(1);
        }
    }

    private WatchEvent event(String type, String object) {
        return serialization.unmarshal("{\"type\":\"" + type + "\",\"object\":" + object + "}", WatchEvent.class);
    }
}

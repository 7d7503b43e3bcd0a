package dev.agentstack.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The demo's and the soak's stand-in for the kubelet and the Job controller. */
class ClusterSimulatorTest {

    @Test
    void everyPodThatSucceedsFinishesItsJobEvenWhenItsStepsFallDueTogether() {
        try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes()) {
            Set<String> acquired = ConcurrentHashMap.newKeySet();
            // Pods that run for no time: starting a pod and finishing it fall due at the same moment.
            try (ClusterSimulator ignored =
                    new ClusterSimulator(kubernetes.newClient(), "ns", "app=sim", Duration.ZERO, acquired::add)) {
                int jobs = 40;
                for (int i = 0; i < jobs; i++) {
                    kubernetes
                            .client()
                            .batch()
                            .v1()
                            .jobs()
                            .inNamespace("ns")
                            .resource(job("job-" + i))
                            .create();
                }
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    List<Job> all = kubernetes
                            .client()
                            .batch()
                            .v1()
                            .jobs()
                            .inNamespace("ns")
                            .list()
                            .getItems();
                    assertThat(all)
                            .hasSize(jobs)
                            .allSatisfy(j -> assertThat(
                                            j.getStatus() == null
                                                    ? List.of()
                                                    : j.getStatus().getConditions())
                                    .as(j.getMetadata().getName())
                                    .anySatisfy(c -> assertThat(c.getType()).isEqualTo("Complete")));
                });
                assertThat(kubernetes.client().pods().inNamespace("ns").list().getItems())
                        .hasSize(jobs)
                        .allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Succeeded"));
                assertThat(acquired).hasSize(jobs);
            }
        }
    }

    @Test
    void aContainerThatNeverExitsHoldsThePodUntilTheJobsDeadlineEndsIt() {
        try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes();
                ClusterSimulator simulator =
                        new ClusterSimulator(kubernetes.newClient(), "ns", "app=sim", Duration.ZERO, uuid -> {})) {
            simulator.neverExits("log-shipper");
            Job job = new JobBuilder(job("held"))
                    .editSpec()
                    .editTemplate()
                    .editSpec()
                    .addNewContainer()
                    .withName("agent")
                    .withImage("agent")
                    .endContainer()
                    .addNewContainer()
                    .withName("log-shipper")
                    .withImage("fluent-bit")
                    .endContainer()
                    .endSpec()
                    .endTemplate()
                    .endSpec()
                    .build();
            var jobs = kubernetes.client().batch().v1().jobs().inNamespace("ns");
            jobs.resource(job).create();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> kubernetes.client().pods().inNamespace("ns").list().getItems().stream()
                            // the simulator creates a pod first and gives it a status in a later update
                            .filter(p -> p.getStatus() != null)
                            .anyMatch(p -> p.getStatus().getContainerStatuses().stream()
                                    .anyMatch(c -> c.getName().equals("agent")
                                            && c.getState().getTerminated() != null)));
            assertThat(kubernetes.client().pods().inNamespace("ns").list().getItems())
                    .singleElement()
                    .satisfies(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Running"));
            assertThat(jobs.withName("held").get().getStatus().getConditions()).isEmpty();

            jobs.withName("held")
                    .edit(j -> new JobBuilder(j)
                            .editSpec()
                            .withActiveDeadlineSeconds(1L)
                            .endSpec()
                            .build());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> jobs.withName("held").get().getStatus().getConditions().stream()
                            .anyMatch(c -> c.getType().equals("Failed")
                                    && c.getReason().equals("DeadlineExceeded")));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> kubernetes
                            .client()
                            .pods()
                            .inNamespace("ns")
                            .list()
                            .getItems()
                            .isEmpty());
        }
    }

    private static Job job(String name) {
        return new JobBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("ns")
                .addToLabels("app", "sim")
                .addToLabels("buildkite.com/job-uuid", name)
                .endMetadata()
                .withNewSpec()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "sim")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("container-0")
                .withImage("alpine")
                .endContainer()
                .withRestartPolicy("Never")
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }
}

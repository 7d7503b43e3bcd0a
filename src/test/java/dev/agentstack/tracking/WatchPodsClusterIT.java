package dev.agentstack.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.Options;
import dev.agentstack.sandbox.FakeJob;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.LocalCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The failures of {@link WatchPodsRouteTest}, but with pod statuses written by kwok's stages (tools/cluster) through a
 * real API server: an image whose name contains "does-not-exist" waits in ImagePullBackOff, an init container whose
 * image contains "init-fails" exits 1; and a job cancelled while its pod waits for a node (the real scheduler's
 * verdict), whose pod the real garbage collector has to remove; a pod that no node takes, past the pending timeout;
 * and a pod that Pod Security Admission refuses.
 */
@ExtendWith(LocalCluster.class)
class WatchPodsClusterIT {

    private static final Duration WAIT = Duration.ofMinutes(2);

    private static ControllerHarness harness(String prefix) {
        return ControllerHarness.onCluster(
                LocalCluster::newClient,
                prefix,
                b -> b.set(Options.IMAGE_PULL_BACKOFF_GRACE_PERIOD, Duration.ofSeconds(1))
                        .set(Options.POLL_INTERVAL, Duration.ofSeconds(1))
                        .set(Options.JOB_TTL, Duration.ofSeconds(2))
                        .set(Options.JOB_CANCEL_CHECKER_POLL_INTERVAL, Duration.ofSeconds(1))
                        .set(Options.EMPTY_JOB_GRACE_PERIOD, Duration.ofSeconds(5)));
    }

    private static FakeJob.Snapshot awaitFinished(ControllerHarness h, String uuid) {
        await().atMost(WAIT).until(() -> "FINISHED".equals(h.buildkite().state(uuid)));
        return h.buildkite().snapshot(uuid);
    }

    @Test
    void anImageThatCannotBePulledFailsTheJobWithATableThenDeletesTheJob() {
        try (ControllerHarness h = harness("image-pull")) {
            String uuid = h.schedulePipeline("""
                    steps:
                      - label: missing image
                        agents: {queue: kubernetes}
                        plugins:
                          - kubernetes:
                              podSpec:
                                containers:
                                  - image: registry.example.com/team/does-not-exist:1.0
                                    command: [make test]
                    """).get(0);
            h.start();

            FakeJob.Snapshot job = awaitFinished(h, uuid);
            assertThat(job.exitStatus()).isEqualTo("1");
            assertThat(job.signalReason()).isEqualTo("stack_error");
            assertThat(job.log())
                    .contains("The following containers could not be created or their images could not be pulled:")
                    .containsPattern("imagecheck-\\d +registry.example.com/team/does-not-exist:1.0 +ImagePullBackOff")
                    .contains("Warning events of pod buildkite-" + uuid)
                    .contains("Error: ImagePullBackOff")
                    .doesNotContain(ControllerHarness.TOKEN)
                    .doesNotContain(ControllerHarness.AGENT_TOKEN);
            await().atMost(WAIT).until(() -> h.job(uuid) == null);
        }
    }

    @Test
    void aFailedInitContainerFailsTheJobWithItsExitCode() {
        try (ControllerHarness h = harness("init-fails")) {
            String uuid = h.schedulePipeline("""
                    steps:
                      - label: failing migration
                        agents: {queue: kubernetes}
                        plugins:
                          - kubernetes:
                              podSpec:
                                initContainers:
                                  - name: migrate-database
                                    image: registry.example.com/team/init-fails:1.0
                                    command: [sh, -c, exit 1]
                                containers:
                                  - image: alpine:3.20
                                    command: [echo never runs]
                    """).get(0);
            h.start();

            FakeJob.Snapshot job = awaitFinished(h, uuid);
            assertThat(job.exitStatus()).isEqualTo("1");
            assertThat(job.signalReason()).isEqualTo("stack_error");
            assertThat(job.log())
                    .contains("The following init containers failed:")
                    .containsPattern("migrate-database +1 +Error");
        }
    }

    @Test
    void aJobCancelledWhileItsPodWaitsForANodeLosesItsJobAndItsPod() {
        try (ControllerHarness h = harness("cancel")) {
            String uuid = h.schedulePipeline("""
                    steps:
                      - command: make test
                        agents: {queue: kubernetes}
                        plugins:
                          - kubernetes: {podSpec: {nodeSelector: {kubernetes.io/hostname: no-such-node}}}
                    """).get(0);
            h.start();
            // The real scheduler finds no node for it (a running agent would notice a cancellation itself).
            await().atMost(WAIT)
                    .until(() -> h.client().pods().inNamespace(h.namespace()).list().getItems().stream()
                            .anyMatch(p -> p.getStatus().getConditions().stream()
                                    .anyMatch(c -> "PodScheduled".equals(c.getType())
                                            && "Unschedulable".equals(c.getReason()))));

            h.buildkite().setState(uuid, "CANCELED");
            // The real garbage collector removes the pod, past the Job controller's tracking finalizer.
            await().atMost(WAIT)
                    .until(() -> h.job(uuid) == null
                            && h.client()
                                    .pods()
                                    .inNamespace(h.namespace())
                                    .list()
                                    .getItems()
                                    .isEmpty());
        }
    }

    @Test
    void aPodNoNodeTakesFailsTheJobPastThePendingTimeoutWithTheSchedulersVerdict() {
        try (ControllerHarness h = ControllerHarness.onCluster(
                LocalCluster::newClient,
                "pending",
                b -> b.set(Options.POD_PENDING_TIMEOUT, Duration.ofSeconds(5))
                        .set(Options.POLL_INTERVAL, Duration.ofSeconds(1))
                        .set(Options.JOB_TTL, Duration.ofSeconds(2)))) {
            String uuid = h.schedulePipeline("""
                    steps:
                      - command: make test
                        agents: {queue: kubernetes}
                        plugins:
                          - kubernetes: {podSpec: {nodeSelector: {kubernetes.io/hostname: no-such-node}}}
                    """).get(0);
            h.start();

            FakeJob.Snapshot job = awaitFinished(h, uuid);
            assertThat(job.exitStatus()).isEqualTo("1");
            assertThat(job.signalReason()).isEqualTo("stack_error");
            assertThat(job.log())
                    .containsPattern("has been in Pending state for \\d+s without starting\\.")
                    .containsPattern("PodScheduled +False +Unschedulable")
                    .contains("FailedScheduling", "0/3 nodes are available");
            await().atMost(WAIT).until(() -> h.job(uuid) == null);
        }
    }

    @Test
    void aPodThatPodSecurityRefusesFailsTheJobWithTheJobsEvents() {
        try (ControllerHarness h = harness("restricted")) {
            // The Job is admitted (Pod Security only warns about templates); the Job controller's pods are refused.
            h.client()
                    .namespaces()
                    .withName(h.namespace())
                    .edit(n -> new io.fabric8.kubernetes.api.model.NamespaceBuilder(n)
                            .editMetadata()
                            .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                            .endMetadata()
                            .build());
            String uuid = h.buildkite().scheduleCommand("make test", "queue=kubernetes");
            h.start();

            FakeJob.Snapshot job = awaitFinished(h, uuid);
            assertThat(job.signalReason()).isEqualTo("stack_error");
            assertThat(job.log())
                    .containsPattern("The Kubernetes job spent \\d+s without starting a pod\\.")
                    .contains("Events of Kubernetes job buildkite-" + uuid)
                    .contains("FailedCreate", "violates PodSecurity \"restricted:latest\"");
            await().atMost(WAIT).until(() -> h.job(uuid) == null);
        }
    }
}

package dev.agentstack.buildkite.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.sandbox.ClusterSimulator.Scenario;
import dev.agentstack.sandbox.FakeStacksApi;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.LogCapture;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * With buildkite-api stacks, what happens to jobs after they are found goes through the Stacks API, against the fake
 * over HTTP and the mock Kubernetes API: a job that can never run is finished (exit -1, the reason, stack_error), a job
 * cancelled in Buildkite loses its Job, and jobs' timelines get notes.
 */
class StacksOutcomesRouteTest {

    private static ControllerHarness harness(UnaryOperator<ControllerConfig.Builder> more) {
        return new ControllerHarness(b -> more.apply(ControllerHarness.source("stacks")
                .apply(b)
                .set(Options.IMAGE_PULL_BACKOFF_GRACE_PERIOD, Duration.ofSeconds(1))
                .set(Options.JOB_CANCEL_CHECKER_POLL_INTERVAL, Duration.ofSeconds(1))));
    }

    private static List<String> notes(ControllerHarness h, String uuid) {
        return h.buildkite().stacks().notifications().stream()
                .filter(n -> n.jobUuid().equals(uuid))
                .map(FakeStacksApi.Received::detail)
                .toList();
    }

    private static void assertNoAgentTokenIn(ControllerHarness h, LogCapture logs) {
        assertThat(logs.lines()).noneMatch(l -> l.contains(ControllerHarness.AGENT_TOKEN));
        assertThat(h.jobs())
                .allSatisfy(j -> assertThat(Serialization.asJson(j)).doesNotContain(ControllerHarness.AGENT_TOKEN));
    }

    @Test
    void aJobThatCanNeverRunIsFinishedWithExitMinusOneItsReasonAndStackErrorAndNeverPosted() {
        try (ControllerHarness h = harness(b -> b.set(Options.PROHIBIT_KUBERNETES_PLUGIN, true));
                LogCapture logs = new LogCapture()) {
            String uuid = h.schedulePipeline("""
                    steps:
                      - label: uses the plugin
                        agents: {queue: kubernetes}
                        plugins:
                          - kubernetes:
                              podSpec:
                                containers:
                                  - image: alpine:3
                                    command: [make test]
                    """).get(0);
            String fine = h.buildkite().scheduleCommand("echo fine", "queue=kubernetes");
            h.start();

            await().atMost(ControllerHarness.WAIT)
                    .until(() -> "FINISHED".equals(h.buildkite().state(uuid)) && h.job(fine) != null);
            assertThat(h.buildkite().stacks().finishes()).singleElement().satisfies(f -> {
                assertThat(f.jobUuid()).isEqualTo(uuid);
                assertThat(f.stackKey()).isEqualTo(h.config().id());
                assertThat(f.exitStatus()).isEqualTo(-1);
                assertThat(f.signalReason()).isEqualTo("stack_error");
                assertThat(f.detail()).contains("kubernetes plugin").doesNotContain(ControllerHarness.AGENT_TOKEN);
            });
            assertThat(h.job(uuid)).as("never posted").isNull();
            assertThat(h.buildkite().agentCalls())
                    .as("no agent was registered to fail it")
                    .isEmpty();
            await().atMost(ControllerHarness.WAIT)
                    .until(() -> notes(h, fine)
                            .contains("Kubernetes Job buildkite-" + fine + " created, waiting for its agent to start"));
            assertNoAgentTokenIn(h, logs);
        }
    }

    @Test
    void aJobCancelledInBuildkiteLosesItsPendingJob() {
        try (ControllerHarness h = harness(b -> b)) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.UNSCHEDULABLE);
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) != null);

            h.buildkite().setState(uuid, "CANCELED");
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) == null);
            assertThat(h.buildkite().graphqlRequests())
                    .as("states come from get-states, not GraphQL")
                    .noneMatch(r -> String.valueOf(r.body()).contains("JobStates"));
        }
    }

    @Test
    void eachQueuesCancelledJobIsAskedAboutOnTheStackThatReservedIt() {
        try (ControllerHarness h = harness(b -> b.setFromYaml(
                Options.QUEUES,
                List.of(
                        java.util.Map.of("tags", List.of("queue=linux")),
                        java.util.Map.of("tags", List.of("queue=gpu")))))) {
            String linux = h.buildkite().scheduleCommand("make", "queue=linux");
            String gpu = h.buildkite().scheduleCommand("train", "queue=gpu");
            h.simulateCluster().script(linux, Scenario.UNSCHEDULABLE).script(gpu, Scenario.UNSCHEDULABLE);
            h.start();
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(linux) != null && h.job(gpu) != null);

            h.buildkite().setState(linux, "CANCELED");
            h.buildkite().setState(gpu, "CANCELED");
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(linux) == null && h.job(gpu) == null);
            assertThat(h.buildkite().stacks().reservations())
                    .extracting(FakeStacksApi.Reservation::jobUuid, FakeStacksApi.Reservation::stackKey)
                    .contains(
                            org.assertj.core.groups.Tuple.tuple(
                                    linux, h.config().id() + "-linux"),
                            org.assertj.core.groups.Tuple.tuple(gpu, h.config().id() + "-gpu"));
        }
    }

    @Test
    void anImageThatCannotBePulledWhileTheAgentRunsIsNotedAndTheJobLeftToItsAgent() {
        try (ControllerHarness h = harness(b -> b)) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.IMAGE_PULL_FAILS_WHILE_AGENT_RUNS);
            h.start();

            await().atMost(ControllerHarness.WAIT)
                    .until(() -> notes(h, uuid).stream()
                            .anyMatch(
                                    n -> n.startsWith("Image pull failure; the job will fail once the agent times out."
                                            + " container-0: ErrImagePull (rpc error")));
            await().atMost(ControllerHarness.WAIT).until(() -> h.job(uuid) == null);
            assertThat(h.buildkite().stacks().finishes())
                    .as("an agent has it: not finished by us")
                    .isEmpty();
        }
    }

    @Test
    void aPodPendingLongIsNotedHalfwayThenItsJobIsFinishedAtTheTimeout() {
        try (ControllerHarness h = harness(b -> b.set(Options.POD_PENDING_TIMEOUT, Duration.ofSeconds(4)))) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.UNSCHEDULABLE);
            h.start();

            await().atMost(ControllerHarness.WAIT)
                    .until(() -> "FINISHED".equals(h.buildkite().state(uuid)));
            assertThat(notes(h, uuid))
                    .filteredOn(n -> n.contains(" has been Pending for "))
                    .singleElement()
                    .asString()
                    .endsWith("the job fails if it has not started within 4s. Unschedulable: 0/3 nodes are"
                            + " available: 3 node(s) didn't match Pod's node affinity/selector.");
            assertThat(h.buildkite().stacks().finishes())
                    .singleElement()
                    .satisfies(f -> assertThat(f.detail()).contains("has been in Pending state for"));
        }
    }

    @Test
    void aContainerOomKilledWhileTheJobRanIsNotedWithItsMemoryLimit() {
        try (ControllerHarness h = harness(b -> b);
                LogCapture logs = new LogCapture()) {
            String uuid = h.schedulePipeline("""
                    steps:
                      - label: hungry
                        agents: {queue: kubernetes}
                        plugins:
                          - kubernetes:
                              podSpec:
                                containers:
                                  - image: alpine:3
                                    command: [make test]
                                    resources:
                                      limits: {memory: 512Mi}
                    """).get(0);
            h.simulateCluster().script(uuid, Scenario.OOM_KILLED_WHILE_RUNNING);
            h.start();

            await().atMost(ControllerHarness.WAIT)
                    .until(() ->
                            notes(h, uuid).contains("Container \"container-0\" was OOMKilled (memory limit 512Mi)"));
            assertThat(notes(h, uuid))
                    .filteredOn(n -> n.contains("OOMKilled"))
                    .as("once")
                    .hasSize(1);
            assertThat(h.buildkite().stacks().finishes())
                    .as("the agent reports the job")
                    .isEmpty();
            assertNoAgentTokenIn(h, logs);
        }
    }

    @Test
    void aPodEvictedWhileTheJobRanIsNotedWithTheReason() {
        try (ControllerHarness h = harness(b -> b)) {
            String uuid = h.buildkite().scheduleCommand("make", "queue=kubernetes");
            h.simulateCluster().script(uuid, Scenario.EVICTED_WHILE_RUNNING);
            h.start();

            await().atMost(ControllerHarness.WAIT)
                    .until(
                            () -> notes(h, uuid)
                                    .contains(
                                            "Pod evicted: The node was low on resource: memory. Threshold quantity: 100Mi, available: 54Mi."));
        }
    }
}

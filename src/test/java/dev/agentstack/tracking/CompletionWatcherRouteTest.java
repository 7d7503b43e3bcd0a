package dev.agentstack.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.Options;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.scheduling.InFlightByQueue;
import dev.agentstack.testing.ControllerHarness;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;

/** A plain container that a pod-spec patch adds and that never exits, through the real routes and the simulator. */
class CompletionWatcherRouteTest {

    private static final Map<String, Object> STUCK_CONTAINER =
            Map.of("containers", List.of(Map.of("name", "log-shipper", "image", "fluent/fluent-bit:3.2")));

    private static ControllerHarness harness(boolean completionWatcher) {
        return new ControllerHarness(b -> b.setFromYaml(Options.POD_SPEC_PATCH, STUCK_CONTAINER)
                .set(Options.DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS, 1)
                .set(Options.ENABLE_COMPLETION_WATCHER, completionWatcher));
    }

    private static double deadlinesSet(ControllerHarness h) {
        return h.controller()
                .bean("metricsRegistry", MeterRegistry.class)
                .counter("buildkite.completion.watcher.deadlines.set")
                .count();
    }

    private static List<Pod> pods(ControllerHarness h, String uuid) {
        return h.kubernetes()
                .client()
                .pods()
                .inNamespace(ControllerHarness.NAMESPACE)
                .withLabel("batch.kubernetes.io/job-name", PodSpecBuilder.jobName(uuid))
                .list()
                .getItems();
    }

    private static boolean failedBy(Job job, String reason) {
        return job != null
                && job.getStatus() != null
                && job.getStatus().getConditions() != null
                && job.getStatus().getConditions().stream()
                        .anyMatch(c -> "Failed".equals(c.getType()) && reason.equals(c.getReason()));
    }

    @Test
    void aJobWhoseAgentFinishedEndsDespiteAContainerThatNeverExitsAndKeepsTheAgentsResult() {
        try (ControllerHarness h = harness(true)) {
            String uuid = h.buildkite().scheduleCommand("make test", "queue=kubernetes");
            h.simulateCluster().neverExits("log-shipper").agentExits(uuid, 1);
            h.start();

            await().atMost(ControllerHarness.WAIT)
                    .until(() -> h.job(uuid) != null
                            && h.job(uuid).getSpec().getActiveDeadlineSeconds()
                                    < Options.DEFAULT_JOB_ACTIVE_DEADLINE_SECONDS);
            h.buildkite().finishAsAgent(uuid, "1"); // the agent reported the build's own failure before it exited

            await().atMost(ControllerHarness.WAIT).until(() -> failedBy(h.job(uuid), "DeadlineExceeded"));
            await().atMost(ControllerHarness.WAIT).until(() -> pods(h, uuid).isEmpty());
            InFlightByQueue inFlight = h.controller().bean("inFlightJobs", InFlightByQueue.class);
            await().atMost(ControllerHarness.WAIT).until(() -> inFlight.inFlight() == 0);

            assertThat(deadlinesSet(h))
                    .as("set once, never pushed by later events")
                    .isEqualTo(1.0);
            assertThat(h.buildkite().snapshot(uuid).exitStatus()).isEqualTo("1");
            assertThat(h.buildkite().snapshot(uuid).signalReason())
                    .as("not failed by the controller")
                    .isNull();
            assertThat(h.buildkite().agentCalls(PodSpecBuilder.jobName(uuid))).isEmpty();
        }
    }

    @Test
    void switchedOffTheJobGetsNoDeadline() {
        try (ControllerHarness h = harness(false)) {
            String uuid = h.buildkite().scheduleCommand("make test", "queue=kubernetes");
            h.simulateCluster().neverExits("log-shipper");
            h.start();
            // Done once the pod watch has handled the event where the agent finished and the other container runs.
            // NotifyBuilder also asks its filter when the exchange is done, by then with the finding as the body:
            // so the exchanges whose event showed the pod are remembered when they are created.
            Set<String> showedIt = ConcurrentHashMap.newKeySet();
            NotifyBuilder agentFinished = new NotifyBuilder(h.controller().camelContext())
                    .fromRoute("watch-pods")
                    .filter(e -> e.getIn().getBody() instanceof Pod pod
                                    && AgentCompletion.agentFinishedWhileOthersRun(pod)
                                    && showedIt.add(e.getExchangeId())
                            || showedIt.contains(e.getExchangeId()))
                    .whenDone(1)
                    .create();

            assertThat(agentFinished.matches(ControllerHarness.WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isTrue();
            assertThat(h.job(uuid).getSpec().getActiveDeadlineSeconds())
                    .isEqualTo((long) Options.DEFAULT_JOB_ACTIVE_DEADLINE_SECONDS);
            assertThat(pods(h, uuid))
                    .singleElement()
                    .extracting(p -> p.getStatus().getPhase())
                    .isEqualTo("Running");
            assertThat(deadlinesSet(h)).isZero();
        }
    }
}

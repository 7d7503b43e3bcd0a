package dev.agentstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.Options;
import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.scheduling.InFlightByQueue;
import dev.agentstack.scheduling.InFlightJobs;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.KwokAgents;
import dev.agentstack.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The controller against a real API server, controller-manager, scheduler and kwok's fake nodes. */
@ExtendWith(LocalCluster.class)
class SchedulingClusterIT {

    private static final Duration WAIT = Duration.ofMinutes(3);

    @Test
    void everyJobIsAdmittedRunsOnAFakeNodeCompletesAndIsRemovedByTheTtlController() {
        int jobs = 8;
        int max = 3;
        try (ControllerHarness h = ControllerHarness.onCluster(
                        LocalCluster::newClient,
                        "scheduling",
                        b -> b.set(Options.MAX_IN_FLIGHT, max)
                                .set(Options.JOB_TTL, Duration.ofSeconds(2))
                                .set(Options.POLL_INTERVAL, Duration.ofSeconds(1)));
                KwokAgents agents = new KwokAgents(h);
                UnfinishedJobs unfinished = new UnfinishedJobs(h)) {
            List<String> uuids = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                uuids.add(h.buildkite().scheduleCommand("make test " + i, "queue=kubernetes"));
            }
            h.start();

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(uuids)
                            .allSatisfy(u -> assertThat(h.buildkite().state(u)).isEqualTo("FINISHED")));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(unfinished.completed).containsAll(uuids));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.jobs())
                            .as("removed by the TTL controller")
                            .isEmpty());
            InFlightJobs inFlight = h.controller()
                    .bean("inFlightJobs", InFlightByQueue.class)
                    .of(h.controller().config().queue());
            await().atMost(WAIT).until(() -> inFlight.inFlight() == 0);

            assertThat(agents.nodes.keySet()).containsExactlyInAnyOrderElementsOf(uuids);
            assertThat(agents.nodes.values()).allSatisfy(n -> assertThat(n).startsWith("kwok-node-"));
            assertThat(unfinished.max.get()).isPositive().isLessThanOrEqualTo(max);
            assertThat(inFlight.highWater()).isLessThanOrEqualTo(max);
            assertThat(uuids)
                    .allSatisfy(u ->
                            assertThat(h.buildkite().snapshot(u).exitStatus()).isEqualTo("0"));
        }
    }

    /** Counts our Jobs without a Complete or Failed condition, as the API server reports them. */
    static final class UnfinishedJobs implements AutoCloseable {
        final Set<String> completed = ConcurrentHashMap.newKeySet();
        final AtomicInteger max = new AtomicInteger();
        private final Set<String> unfinished = ConcurrentHashMap.newKeySet();
        private final Watch watch;

        UnfinishedJobs(ControllerHarness h) {
            watch = h.client()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(h.namespace())
                    .withLabel(JobLabels.JOB_UUID)
                    .watch(new Watcher<>() {
                        @Override
                        public void eventReceived(Action action, Job job) {
                            String uuid = job.getMetadata().getLabels().get(JobLabels.JOB_UUID);
                            boolean done = action == Action.DELETED
                                    || job.getStatus() != null
                                            && job.getStatus().getConditions().stream()
                                                    .anyMatch(c -> "True".equals(c.getStatus())
                                                            && Set.of("Complete", "Failed")
                                                                    .contains(c.getType()));
                            if (job.getStatus() != null
                                    && job.getStatus().getConditions().stream()
                                            .anyMatch(c ->
                                                    "Complete".equals(c.getType()) && "True".equals(c.getStatus()))) {
                                completed.add(uuid);
                            }
                            if (done) {
                                unfinished.remove(uuid);
                            } else {
                                unfinished.add(uuid);
                                max.accumulateAndGet(unfinished.size(), Math::max);
                            }
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                            // the test ends
                        }
                    });
        }

        @Override
        public void close() {
            watch.close();
        }
    }
}

package dev.agentstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.config.Options;
import dev.agentstack.testing.ControllerHarness;
import dev.agentstack.testing.LocalCluster;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A controller stopped halfway through a backlog and a new one started against the same API server, as a pod restart
 * does: the new one creates the rest, and no Buildkite job gets a second Kubernetes Job.
 */
@ExtendWith(LocalCluster.class)
class ControllerRestartClusterIT {

    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final int JOBS = 60;

    @Test
    void aRestartMidBacklogCreatesEachRemainingJobOnceAndNoneTwice() {
        // max-in-flight paces the backlog by kwok's pod run time, and bounds what a graceful stop still finishes, so
        // the stop lands in the middle of it; no agent takes the jobs, so every one stays scheduled in Buildkite and
        // the new controller sees them all again.
        try (ControllerHarness h = ControllerHarness.onCluster(
                        LocalCluster::newClient,
                        "restart",
                        b -> b.set(Options.MAX_IN_FLIGHT, 10)
                                .set(Options.POLL_INTERVAL, Duration.ofSeconds(1))
                                .set(Options.JOB_TTL, Duration.ofMinutes(10)));
                JobsByUuid jobs = new JobsByUuid(h)) {
            List<String> uuids = h.buildkite()
                    .scheduleCommands(
                            IntStream.range(0, JOBS)
                                    .mapToObj(i -> "make test " + i)
                                    .toList(),
                            "queue=kubernetes");
            h.start();
            await().atMost(WAIT).until(() -> jobs.created() >= JOBS / 4);
            h.controller().close();
            assertThat(jobs.created()).as("stopped mid-backlog").isLessThan(JOBS);
            h.start();

            await().atMost(WAIT).until(() -> jobs.allCreated(uuids));
            int polls = h.graphqlPolls();
            await().atMost(WAIT).until(() -> h.graphqlPolls() >= polls + 3); // later polls see every job again
            assertThat(jobs.counts())
                    .containsOnlyKeys(uuids)
                    .allSatisfy((uuid, n) -> assertThat(n).isEqualTo(1));
            assertThat(h.jobs()).hasSize(JOBS);
        }
    }
}

package dev.agentstack.scheduling;

import static dev.agentstack.scheduling.InFlightJobsTest.job;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.buildkite.BuildkiteJob;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A creation that may have happened although it did not report success (409 AlreadyExists, a 5xx whose answer was
 * lost) keeps its slot until the Job is seen, so unfinished Jobs never exceed max-in-flight. Found by the soak:
 * freeing the slot at once let another job take it just before the watch added the first Job: 51 of 50.
 */
class UnconfirmedCreationsTest {

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final InFlightJobs inFlight = new InFlightJobs(1, nanos::incrementAndGet);
    private final JobCreations creations = new JobCreations(
            inFlight, 1, "buildkite-", Duration.ofMinutes(1), Clock.systemUTC(), new SimpleMeterRegistry());

    private static BuildkiteJob buildkiteJob(String uuid) {
        return new BuildkiteJob(null, uuid, "echo", List.of("queue=kubernetes"), 0, null, List.of());
    }

    private static KubernetesClientException status(int code) {
        return new KubernetesClientException(new StatusBuilder().withCode(code).build());
    }

    @Test
    void aJobThatAlreadyExistsKeepsItsSlotUntilTheWatchShowsItFinished() {
        inFlight.reconcile(List.of(), inFlight.now());
        assertThat(creations.reserve(buildkiteJob("a"), null)).isTrue();
        creations.alreadyExists(buildkiteJob("a"));
        assertThat(creations.reserve(buildkiteJob("b"), null))
                .as("a exists and may be unfinished")
                .isFalse();

        inFlight.onJobEvent("ADDED", job("a", null));
        assertThat(creations.reserve(buildkiteJob("b"), null)).isFalse();
        inFlight.onJobEvent("MODIFIED", job("a", "Complete"));
        assertThat(creations.reserve(buildkiteJob("b"), null)).isTrue();
        assertThat(inFlight.highWater()).isEqualTo(1);
    }

    @Test
    void aServerErrorKeepsTheSlotUntilAListTakenAfterItLacksTheJob() {
        inFlight.reconcile(List.of(), inFlight.now());
        assertThat(creations.reserve(buildkiteJob("a"), null)).isTrue();
        creations.failed(buildkiteJob("a"), status(500), null);
        assertThat(creations.reserve(buildkiteJob("b"), null))
                .as("the Job may have been stored")
                .isFalse();

        inFlight.reconcile(List.of(), inFlight.now());
        assertThat(creations.reserve(buildkiteJob("b"), null))
                .as("a later list shows it was not")
                .isTrue();
    }

    @Test
    void aServerErrorForAJobThatWasStoredCountsTheJob() {
        inFlight.reconcile(List.of(), inFlight.now());
        assertThat(creations.reserve(buildkiteJob("a"), null)).isTrue();
        creations.failed(buildkiteJob("a"), status(500), null);
        inFlight.reconcile(List.of(job("a", null)), inFlight.now());
        assertThat(creations.reserve(buildkiteJob("b"), null)).isFalse();
        assertThat(inFlight.inFlight()).isEqualTo(1);
    }

    @Test
    void aRefusalFreesTheSlotAtOnce() {
        inFlight.reconcile(List.of(), inFlight.now());
        assertThat(creations.reserve(buildkiteJob("a"), null)).isTrue();
        creations.failed(buildkiteJob("a"), status(422), null);
        assertThat(creations.reserve(buildkiteJob("b"), null)).isTrue();
    }
}

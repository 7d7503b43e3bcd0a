package dev.agentstack.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.kubernetes.JobLabels;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The events side's in-memory sets stay bounded however many jobs pass through, and forget what is old, even when
 * the watch never says a Job is gone.
 */
class WatchMemoryBoundsTest {

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void reportedJobsAreBoundedAndExpire() {
        Findings findings = new Findings(
                null, null, List.of("queue=kubernetes"), Clock.systemUTC(), new SimpleMeterRegistry(), nanos::get);
        for (int i = 0; i < 10 * Findings.MEMORY; i++) {
            findings.remember("uuid-" + i);
        }
        assertThat(findings.remembered()).isEqualTo(Findings.MEMORY);

        nanos.addAndGet(Findings.MEMORY_TTL.toNanos());
        assertThat(findings.remembered()).isZero();
    }

    @Test
    void cancelCandidatesWhoseDeletionWasNeverSeenAreBounded() {
        CancelCandidates candidates =
                new CancelCandidates(new SimpleMeterRegistry(), Duration.ofSeconds(5), nanos::get);
        for (int i = 0; i < 4 * CancelCandidates.CAPACITY; i++) {
            nanos.incrementAndGet();
            candidates.onJobEvent("ADDED", CancelCandidatesTest.job("uuid-" + i));
        }
        assertThat(candidates.size()).isLessThanOrEqualTo(CancelCandidates.CAPACITY);
        String newest = "uuid-" + (4 * CancelCandidates.CAPACITY - 1);
        assertThat(candidates.jobName(newest))
                .as("the most recently seen are kept")
                .isEqualTo("buildkite-" + newest);
        assertThat(candidates.jobName("uuid-0"))
                .as("the least recently seen go first")
                .isNull();
    }

    @Test
    void cancelCandidatesExpireAfterTheirLastEvent() {
        CancelCandidates candidates =
                new CancelCandidates(new SimpleMeterRegistry(), Duration.ofSeconds(5), nanos::get);
        candidates.onJobEvent("ADDED", CancelCandidatesTest.job("quiet"));
        candidates.onJobEvent("ADDED", CancelCandidatesTest.job("pending"));
        nanos.addAndGet(CancelCandidates.TTL.minusHours(1).toNanos());
        candidates.onPodEvent(
                "MODIFIED",
                new PodBuilder()
                        .withNewMetadata()
                        .addToLabels(JobLabels.JOB_UUID, "pending")
                        .endMetadata()
                        .withNewStatus()
                        .withPhase("Pending")
                        .endStatus()
                        .build());
        assertThat(candidates.batches()).containsExactly(List.of("pending", "quiet"));

        nanos.addAndGet(Duration.ofHours(1).toNanos());
        assertThat(candidates.batches()).containsExactly(List.of("pending"));
        assertThat(candidates.size()).isEqualTo(1);
    }
}

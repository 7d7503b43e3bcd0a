package dev.agentstack.buildkite.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeldJobsTest {

    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    private static ScheduledJobsPage.ScheduledJob job(String id) {
        return new ScheduledJobsPage.ScheduledJob(id, 0, List.of("queue=kubernetes"), NOW, "p", 1, "main", null);
    }

    @Test
    void aJobThatGotNoJobWaitsWhileItCountsAsOursThenIsTakenAgain() {
        HeldJobs held = new HeldJobs();
        Set<String> ours = new HashSet<>(Set.of("a"));
        held.retryLater(job("a"), NOW.plusSeconds(900));

        held.forget(List.of(), ours::contains, NOW.plusSeconds(10));
        assertThat(held.oldest(0, ours::contains))
                .as("its create may have reached the API server")
                .isEmpty();
        assertThat(held.contains("a")).isTrue();

        ours.remove("a"); // a list showed no Job
        held.forget(List.of(), ours::contains, NOW.plusSeconds(20));
        assertThat(held.oldest(0, ours::contains))
                .extracting(ScheduledJobsPage.ScheduledJob::id)
                .containsExactly("a");
    }

    @Test
    void aJobThatStaysOursIsLetGoWhenItsReservationWouldHaveExpired() {
        HeldJobs held = new HeldJobs();
        held.retryLater(job("a"), NOW.plusSeconds(900));

        held.forget(List.of(), id -> true, NOW.plusSeconds(900));

        assertThat(held.contains("a")).as("its Job was created").isFalse();
    }

    @Test
    void aJobListedAgainIsForgottenForThePollsChoice() {
        HeldJobs held = new HeldJobs();
        held.retryLater(job("a"), NOW.plusSeconds(900));
        held.hold(job("b"));

        held.forget(List.of("a"), id -> false, NOW);

        assertThat(held.oldest(0, id -> false))
                .extracting(ScheduledJobsPage.ScheduledJob::id)
                .containsExactly("b");
    }
}

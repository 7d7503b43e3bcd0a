package dev.agentstack.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.buildkite.ScanPlan;
import dev.agentstack.buildkite.ScheduledJobsQuery;
import dev.agentstack.buildkite.ScheduledJobsScan;
import dev.agentstack.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PollScopeTest {

    private static final Duration STALE = Duration.ofSeconds(10);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T06:00:00Z"));

    @Test
    void freeSlotsDecideThePageSizeAndHowManyJobsThePollWants() {
        InFlightJobs slots = ready(new InFlightJobs(100));
        for (int i = 0; i < 70; i++) {
            slots.tryReserve("busy-" + i);
        }
        ScanPlan plan = new PollScope(slots, 100, 20, STALE, null, clock).plan();

        assertThat(plan.pageSize()).isEqualTo(30);
        assertThat(plan.wanted()).isEqualTo(30);
        assertThat(plan.usefulPages()).isEqualTo(2); // the page 30 jobs need, plus one
        assertThat(plan.startCursor()).isNull();
    }

    @Test
    void beforeOurJobsAreListedAPollReadsOneJobAndHandsOnNone() {
        ScanPlan plan = new PollScope(new InFlightJobs(0), 100, 20, STALE, null, clock).plan();

        assertThat(plan.probe()).isTrue();
        assertThat(plan.pageSize()).isEqualTo(1);
    }

    @Test
    void theNextPollGoesOnPastTheOldestPagesWhoseJobsAreAllOursNow() {
        InFlightJobs slots = ready(new InFlightJobs(0));
        PollScope scope = new PollScope(slots, 2, 20, STALE, null, clock);
        ScheduledJobsScan first = walk(scope, 5, List.of("a", "b"), List.of("c", "d"), List.of("e"));
        List.of("a", "b", "c", "d").forEach(slots::tryReserve); // the poll took four; "e" was left

        ScanPlan next = scope.plan();
        assertThat(next.startCursor()).isEqualTo(first.pagesInOrder().get(1).cursorPast());
        assertThat(next.usefulPages()).isEqualTo(20);
    }

    @Test
    void moreJobsThanTheSkippedAndReadOnesSendTheNextPollBackToTheOldest() {
        InFlightJobs slots = ready(new InFlightJobs(0));
        PollScope scope = new PollScope(slots, 2, 20, STALE, null, clock);
        walk(scope, 2, List.of("a", "b"));
        List.of("a", "b").forEach(slots::tryReserve);
        assertThat(scope.plan().startCursor()).isNotNull();

        // Two skipped, none read past them, but Buildkite counts three: a job was scheduled among the old ones.
        walk(scope, 3);
        assertThat(scope.plan().startCursor()).isNull();
    }

    @Test
    void aFailedPollSendsTheNextBackToTheOldest() {
        InFlightJobs slots = ready(new InFlightJobs(0));
        PollScope scope = new PollScope(slots, 2, 20, STALE, null, clock);
        walk(scope, 2, List.of("a", "b"));
        List.of("a", "b").forEach(slots::tryReserve);
        assertThat(scope.plan().startCursor()).isNotNull();

        scope.failed();
        assertThat(scope.plan().startCursor()).isNull();
    }

    @Test
    void pagesOfOurJobsAreReadAgainOnceTheSkipIsSixStaleJobDataTimeoutsOld() {
        InFlightJobs slots = ready(new InFlightJobs(0));
        PollScope scope = new PollScope(slots, 2, 20, STALE, null, clock);
        walk(scope, 2, List.of("a", "b"));
        slots.tryReserve("a");
        slots.tryReserve("b");
        assertThat(scope.plan().startCursor()).isNotNull();

        clock.advance(STALE.multipliedBy(PollScope.REREAD_AFTER).minusSeconds(1));
        walk(scope, 2);
        assertThat(scope.plan().startCursor()).isNotNull();
        clock.advance(Duration.ofSeconds(1));
        walk(scope, 2);
        assertThat(scope.plan().startCursor()).isNull();
    }

    private static InFlightJobs ready(InFlightJobs slots) {
        slots.reconcile(List.of(), slots.now());
        return slots;
    }

    /** One poll as the route runs it: the plan, then each page (oldest first) with Buildkite's total count. */
    @SafeVarargs
    private ScheduledJobsScan walk(PollScope scope, int count, List<String>... pages) {
        ScheduledJobsQuery query = new ScheduledJobsQuery("acme", "kubernetes", "", 2, 20, clock);
        ScheduledJobsScan scan = query.startScan(scope.plan());
        for (List<String> page : pages) {
            // Each page lists its jobs newest first; the cursor is the job's own.
            List<String> newestFirst = new java.util.ArrayList<>(page);
            java.util.Collections.reverse(newestFirst);
            String edges = newestFirst.stream()
                    .map(u -> "{\"cursor\":\"cur-" + u + "\",\"node\":{\"uuid\":\"" + u
                            + "\",\"agentQueryRules\":[\"queue=kubernetes\"]}}")
                    .collect(Collectors.joining(","));
            scan.addPage(
                    "{\"data\":{\"organization\":{\"jobs\":{\"count\":" + count + ",\"edges\":[" + edges + "]}}}}");
        }
        if (pages.length == 0) {
            scan.addPage("{\"data\":{\"organization\":{\"jobs\":{\"count\":" + count + ",\"edges\":[]}}}}");
        }
        scope.walked(scan);
        return scan;
    }
}

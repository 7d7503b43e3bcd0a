package dev.agentstack.scheduling;

import dev.agentstack.buildkite.GraphqlBudget;
import dev.agentstack.buildkite.ScanPlan;
import dev.agentstack.buildkite.ScheduledJobsQuery;
import dev.agentstack.buildkite.ScheduledJobsScan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * How much of the scheduled jobs a queue's next poll reads, so it spends the organization's GraphQL points only on
 * jobs it can use.
 * <ul>
 *   <li>With max-in-flight leaving N free slots: pages of at most N jobs, until N jobs that are not ours have been
 *   read, and no more pages holding such a job than N jobs need, plus one. Jobs are taken by priority within what was
 *   read.</li>
 *   <li>With no limit: every page, up to pagination-depth-limit.</li>
 *   <li>Before our Jobs have been listed: one job, enough to report a wrong organization or token; none handed on.</li>
 *   <li>Either way, the oldest pages whose jobs are all ours (they stay scheduled until their agent starts) are not
 *   read again: a poll goes on from the cursor past them. It starts from the oldest job again once such a walk is
 *   {@link #REREAD_AFTER} stale-job-data-timeouts old, or as soon as the jobs' count is more than the skipped pages
 *   and the pages read can hold (a job scheduled late sits among older ones; a cursor that counts positions would
 *   skip jobs as others arrive).</li>
 * </ul>
 */
public final class PollScope {

    /** How many stale-job-data-timeouts a cursor past our own jobs is trusted when the count does not contradict it. */
    static final int REREAD_AFTER = 6;

    /** The oldest pages known to hold only our jobs: a walk goes on from {@code cursor}, past {@code jobs} jobs. */
    private record Skip(String cursor, int jobs, Instant since) {}

    private final InFlightJobs inFlight;
    private final int pageSize;
    private final int depthLimit;
    private final Duration rereadAfter;
    private final GraphqlBudget budget;
    private final Clock clock;
    private Skip skip;
    private ScheduledJobsScan last;

    /**
     * @param staleJobDataTimeout stale-job-data-timeout
     * @param budget              the organization's budget polls are charged to (null: none)
     */
    public PollScope(
            InFlightJobs inFlight,
            int pageSize,
            int depthLimit,
            Duration staleJobDataTimeout,
            GraphqlBudget budget,
            Clock clock) {
        this.inFlight = inFlight;
        this.pageSize = pageSize;
        this.depthLimit = depthLimit;
        this.rereadAfter = staleJobDataTimeout.multipliedBy(REREAD_AFTER);
        this.budget = budget;
        this.clock = clock;
    }

    /** What the next poll may read. */
    public synchronized ScanPlan plan() {
        int free = inFlight.freeSlots();
        if (free == 0) {
            return ScanPlan.probe(inFlight::isOurs, budget);
        }
        skip = skipAfter(last);
        last = null; // its pages are accounted for; the plan may be asked for again before the next poll ends
        String from = skip == null ? null : skip.cursor();
        if (free > 0) {
            int size = Math.min(pageSize, free);
            int pages = Math.min(depthLimit, (free + size - 1) / size + 1);
            return new ScanPlan(size, pages, free, from, inFlight::isOurs, budget, false);
        }
        return new ScanPlan(pageSize, depthLimit, 0, from, inFlight::isOurs, budget, false);
    }

    /**
     * The oldest pages to skip after the last poll: those it skipped, and those it read whose jobs are all ours now (a
     * poll reserves its jobs after reading them), unless it is time to start from the oldest job again.
     */
    private Skip skipAfter(ScheduledJobsScan scan) {
        if (scan == null || scan.plan().probe()) {
            return skip;
        }
        Skip base = scan.plan().startCursor() == null ? null : skip;
        int skipped = base == null ? 0 : base.jobs();
        if (base != null
                && (!clock.instant().isBefore(base.since().plus(rereadAfter))
                        || scan.reachedNewest()
                                && scan.totalCount() > skipped + scan.jobs().size())) {
            return null; // trusted too long, or jobs appeared among the skipped ones: read from the oldest
        }
        Skip next = base;
        for (ScheduledJobsScan.PageRead page : scan.pagesInOrder()) {
            if (page.uuids().isEmpty() || !page.uuids().stream().allMatch(inFlight::isOurs)) {
                break;
            }
            Instant since = next == null ? scan.startedAt() : next.since();
            next = new Skip(
                    page.cursorPast(),
                    (next == null ? 0 : next.jobs()) + page.uuids().size(),
                    since);
        }
        return next;
    }

    /** A poll failed: the next starts from the oldest job, in case the cursor it went on from is what failed. */
    public synchronized void failed() {
        skip = null;
        last = null;
    }

    /** The most points the next poll's first page can cost. */
    public int firstPagePoints() {
        return ScheduledJobsQuery.mostPointsPerPage(plan().pageSize());
    }

    /** A poll finished: the next plan skips what it found to be ours. */
    public synchronized void walked(ScheduledJobsScan scan) {
        last = scan;
    }

    public GraphqlBudget budget() {
        return budget;
    }
}

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
 * jobs it can use:
 * <ul>
 *   <li>With max-in-flight leaving N free slots: pages of at most N jobs, and no more pages holding a job that is not
 *   ours than N jobs need, plus one. Pages of only our jobs (scheduled until their agent starts) do not count; the
 *   walk still starts at the oldest job, so jobs are taken by priority within what was read.</li>
 *   <li>Before our Jobs have been listed: one job, enough to report a wrong organization or token, and none handed
 *   on.</li>
 *   <li>With no limit: every page, but a poll stops at a page whose jobs are all ours as long as a poll read every
 *   page within stale-job-data-timeout; newer jobs behind such a page wait at most that long. Cursors are not
 *   remembered across polls: Buildkite's are opaque, and one that counts positions would skip jobs as others arrive.
 *   </li>
 * </ul>
 */
public final class PollScope {

    private final InFlightJobs inFlight;
    private final int pageSize;
    private final int depthLimit;
    private final Duration fullWalkEvery;
    private final GraphqlBudget budget;
    private final Clock clock;
    private volatile Instant lastFullWalk;

    /**
     * @param fullWalkEvery stale-job-data-timeout: how long a poll of every page vouches for the pages it found ours
     * @param budget        the organization's budget polls are charged to (null: none)
     */
    public PollScope(InFlightJobs inFlight, int pageSize, int depthLimit, Duration fullWalkEvery,
                     GraphqlBudget budget, Clock clock) {
        this.inFlight = inFlight;
        this.pageSize = pageSize;
        this.depthLimit = depthLimit;
        this.fullWalkEvery = fullWalkEvery;
        this.budget = budget;
        this.clock = clock;
    }

    /** What the next poll may read. */
    public ScanPlan plan() {
        int free = inFlight.freeSlots();
        if (free == 0) {
            return ScanPlan.probe(inFlight::isOurs, budget);
        }
        if (free > 0) {
            int size = Math.min(pageSize, free);
            int pages = Math.min(depthLimit, (free + size - 1) / size + 1);
            return new ScanPlan(size, pages, false, inFlight::isOurs, budget, false);
        }
        Instant last = lastFullWalk;
        boolean vouched = last != null && Duration.between(last, clock.instant()).compareTo(fullWalkEvery) < 0;
        return new ScanPlan(pageSize, depthLimit, vouched, inFlight::isOurs, budget, false);
    }

    /** The most points the next poll's first page can cost. */
    public int firstPagePoints() {
        return ScheduledJobsQuery.mostPointsPerPage(plan().pageSize());
    }

    /** A poll finished; one that was not cut short at a page of our jobs read every page. */
    public void walked(ScheduledJobsScan scan) {
        if (!scan.stoppedAtPageOfOurs()) {
            lastFullWalk = scan.startedAt();
        }
    }

    public GraphqlBudget budget() {
        return budget;
    }
}

package dev.agentstack.scheduling;

import dev.agentstack.buildkite.JobPoll;
import dev.agentstack.buildkite.JobSourceUnusableException;
import dev.agentstack.buildkite.PollBackoff;
import dev.agentstack.buildkite.ScanPlan;
import dev.agentstack.buildkite.ScheduledJobsScan;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What the buildkite-scheduled-jobs-source Kamelet asks before each poll and tells after it: a poll is due unless the
 * queue backs off after a failure or the poll could start nothing (no free slot, creation workers far behind); a
 * source that cannot work ({@link JobSourceUnusableException}: a missing organization, a refused agent token) is
 * fatal (the controller stops with a clear message), any other failure backs off. With a
 * {@link PollScope}, it also says how much the poll reads, and holds polls back that would spend more of the
 * organization's GraphQL points than graphql-budget-share.
 */
public final class PollGate {

    private final PollBackoff backoff;
    private final BooleanSupplier holdBack;
    private final Consumer<String> fatal;
    private final PollScope scope;

    /**
     * @param holdBack true while a poll could not start anything (e.g. {@link JobCreations#pollWouldStartNothing()})
     * @param fatal    stops the controller with this message
     */
    public PollGate(PollBackoff backoff, BooleanSupplier holdBack, Consumer<String> fatal) {
        this(backoff, holdBack, fatal, null);
    }

    /** @param scope what each poll reads and the budget it is charged to (null: every page, no budget) */
    public PollGate(PollBackoff backoff, BooleanSupplier holdBack, Consumer<String> fatal, PollScope scope) {
        this.backoff = backoff;
        this.holdBack = holdBack;
        this.fatal = fatal;
        this.scope = scope;
    }

    /** A tick that polls reports its end through recordSuccess or recordFailure; one that does not poll, here. */
    public boolean isPollDue() {
        boolean due = backoff.isPollDue()
                && !holdBack.getAsBoolean()
                && (scope == null || scope.budget() == null || scope.budget().allowsPoll(scope.firstPagePoints()));
        if (!due) {
            backoff.tickFinished();
        }
        return due;
    }

    /** What the poll that starts now may read (null without a scope: the query's own page size and depth). */
    public ScanPlan scanPlan() {
        return scope == null ? null : scope.plan();
    }

    public void recordSuccess(JobPoll poll) {
        backoff.recordSuccess(poll);
        if (scope != null && poll instanceof ScheduledJobsScan scan) {
            scope.walked(scan); // the cursor past pages of our own jobs is GraphQL's alone
        }
    }

    /** @param poll the failed poll (null if it never started): the jobs of the pages it read still count */
    public void recordFailure(Throwable error, JobPoll poll) {
        if (scope != null) {
            scope.failed();
        }
        if (error instanceof JobSourceUnusableException) {
            fatal.accept(error.getMessage());
        } else {
            backoff.recordFailure(error, poll);
        }
    }

    /** A tick on a replica that stands by: no poll, but the poll loop is alive (liveness counts ticks). */
    public void standingBy() {
        backoff.tickFinished();
    }

    public PollBackoff backoff() {
        return backoff;
    }
}

package dev.agentstack.buildkite;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One poll of a job source, as the source Kamelets hand it on: {@link ScheduledJobsScan} for GraphQL,
 * {@code StackJobsScan} for the Stacks API. The poll gate, the backoff and the creation steps read it through this
 * interface only, so both sources share them.
 */
public interface JobPoll {

    /**
     * The exchange property through which a source Kamelet (buildkite-scheduled-jobs-source,
     * buildkite-stack-jobs-source) hands its poll to the flow: it sets the property before the first page, and every
     * job message split from the poll carries it on, so the queue's beans ({@code JobCreations.reserve} and
     * {@code dropIfStale}, {@code failed}) know which poll a job came from, when its data was read, and whom to tell
     * when it got no Job. The Kamelets and the
     * schedule-jobs routes name it in a comment; keep them in step.
     */
    String EXCHANGE_PROPERTY = "scan";

    /** When the poll started. */
    Instant startedAt();

    /** When the last page arrived: the age of the data the jobs are created from. */
    Instant fetchedAt();

    int pagesRead();

    /** Every job the poll saw (for the Stacks API: the jobs it reserved and read the details of). */
    List<BuildkiteJob> jobs();

    /** The jobs to hand on, in the order they should take free slots. */
    List<BuildkiteJob> jobsInSchedulingOrder();

    /**
     * A job this poll handed on got no Job: no free slot after all, stale data, or a create that failed in a way a
     * later try may not. The GraphQL source lists it again on its own; the Stacks API hides a job this stack reserved
     * until the reservation expires, so its poll has the next poll take it again.
     */
    default void notStarted(String uuid) {}

    /** Where a failure of this poll happened, for its log line: {@code on page N} while it reads pages. */
    default String failedWhere() {
        return "on page " + (pagesRead() + 1);
    }

    /** How long the answers asked the next poll to wait (Retry-After on a successful answer), or null. */
    default Duration waitAsked() {
        return null;
    }
}

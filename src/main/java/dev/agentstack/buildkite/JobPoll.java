package dev.agentstack.buildkite;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One poll of a job source, as the source Kamelets hand it on in the exchange property {@code scan}
 * ({@code JobCreations.POLL}): {@link ScheduledJobsScan} for GraphQL, {@code StackJobsScan} for the Stacks API. The
 * poll gate, the backoff and the creation steps read it through this interface only, so both sources share them.
 */
public interface JobPoll {

    /** When the poll started. */
    Instant startedAt();

    /** When the last page arrived: the age of the data the jobs are created from. */
    Instant fetchedAt();

    int pagesRead();

    /** Every job the poll saw (for the Stacks API: the jobs it reserved and read the details of). */
    List<BuildkiteJob> jobs();

    /** The jobs to hand on, in the order they should take free slots. */
    List<BuildkiteJob> jobsInSchedulingOrder();

    /** How long the answers asked the next poll to wait (Retry-After on a successful answer), or null. */
    default Duration waitAsked() {
        return null;
    }
}

package dev.agentstack.buildkite;

import java.util.function.Predicate;

/**
 * What one poll may read, decided by the queue before it starts: pages of {@code pageSize} jobs, from the oldest
 * scheduled job or, with {@code startCursor}, from the jobs newer than it; at most {@code usefulPages} pages that hold
 * a job not already ours (pages of only our jobs are still read, up to pagination-depth-limit, as jobs stay scheduled
 * until their agent starts), and none once {@code wanted} jobs not ours have been read (0: no such limit). Pages are
 * charged to {@code budget} and not read past it (null: no budget).
 *
 * @param startCursor null: from the oldest job
 * @param ours  true for a job uuid that is already ours (created or reserved)
 * @param probe the poll only checks that the organization and token work and hands on no job (it could not rank the
 *              jobs it did not read by priority)
 */
public record ScanPlan(
        int pageSize,
        int usefulPages,
        int wanted,
        String startCursor,
        Predicate<String> ours,
        GraphqlBudget budget,
        boolean probe) {

    /** Every page up to the depth limit, no job taken as ours, no budget: the Kamelet on its own, and tests. */
    public static ScanPlan everything(int pageSize, int depthLimit) {
        return new ScanPlan(pageSize, depthLimit, 0, null, uuid -> false, null, false);
    }

    /** One page of one job, handing on none. */
    public static ScanPlan probe(Predicate<String> ours, GraphqlBudget budget) {
        return new ScanPlan(1, 1, 0, null, ours, budget, true);
    }
}

package dev.agentstack.buildkite.stacks;

import dev.agentstack.buildkite.AgentTags;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Which listed jobs a poll reserves: those whose agent tags ours match, not already ours, each once, highest priority
 * first (the list's oldest-first order within a priority), at most work-queue-limit and at most the free in-flight
 * slots. Only these are reserved, so a job this controller then holds back is never held for it in Buildkite.
 */
public final class StackJobChoice {

    private StackJobChoice() {}

    /**
     * The job's agent query rules as this controller reads them: every listed job is in the cluster queue the stack
     * serves, so its {@code queue} rule (or its lack of one, on the default queue) becomes {@code queue=<ourQueue>},
     * our queue tag. The original drops it on a default queue; ours keeps one, as the shared tag filter requires.
     */
    public static List<String> rulesFor(List<String> rules, String ourQueue) {
        List<String> out = new ArrayList<>();
        out.add("queue=" + ourQueue);
        for (String rule : rules) {
            if (!rule.startsWith("queue=")) {
                out.add(rule);
            }
        }
        return out;
    }

    /**
     * @param ours           true for a job uuid that already has (or is getting) a Kubernetes Job
     * @param wanted         the free in-flight slots; 0 or less: no limit
     * @param workQueueLimit the most jobs of one poll handed on
     */
    public static List<ScheduledJobsPage.ScheduledJob> choose(
            List<ScheduledJobsPage.ScheduledJob> listed,
            List<String> controllerTags,
            String ourQueue,
            Predicate<String> ours,
            int wanted,
            int workQueueLimit) {
        Map<String, ScheduledJobsPage.ScheduledJob> unique = new LinkedHashMap<>();
        for (ScheduledJobsPage.ScheduledJob job : listed) {
            if (job.id() != null
                    && !ours.test(job.id())
                    && AgentTags.jobMatchesController(rulesFor(job.agentQueryRules(), ourQueue), controllerTags)) {
                unique.putIfAbsent(job.id(), job); // a job can move into a later page while the poll reads
            }
        }
        List<ScheduledJobsPage.ScheduledJob> sorted = new ArrayList<>(unique.values());
        sorted.sort(Comparator.comparingInt(ScheduledJobsPage.ScheduledJob::priority)
                .reversed()); // stable
        int limit = wanted > 0 ? Math.min(wanted, workQueueLimit) : workQueueLimit;
        return sorted.size() > limit ? List.copyOf(sorted.subList(0, limit)) : sorted;
    }
}

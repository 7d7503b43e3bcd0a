package dev.agentstack.buildkite;

import java.time.Instant;
import java.util.List;

/**
 * A scheduled command job as Buildkite's GraphQL API describes it ({@code JobTypeCommand}).
 *
 * @param id              the GraphQL node id (what mutations such as jobTypeCommandCancel take)
 * @param uuid            the job UUID (what the agent API and our Kubernetes names use)
 * @param command         the step's command, multi-line commands newline-joined
 * @param agentQueryRules the job's agent tags, {@code k=v}, in the job's order
 * @param priority        {@code priority.number}, 0 when absent
 * @param scheduledAt     when the job became scheduled, or null
 * @param env             the job's environment as {@code KEY=VALUE} strings, in the job's order
 */
public record BuildkiteJob(
        String id,
        String uuid,
        String command,
        List<String> agentQueryRules,
        int priority,
        Instant scheduledAt,
        List<String> env) {

    public BuildkiteJob {
        command = command == null ? "" : command;
        agentQueryRules = agentQueryRules == null ? List.of() : List.copyOf(agentQueryRules);
        env = env == null ? List.of() : List.copyOf(env);
    }

    /** The value of the agent tag {@code key}, or null. */
    public String tag(String key) {
        for (String rule : agentQueryRules) {
            int eq = rule.indexOf('=');
            if (eq > 0 && rule.substring(0, eq).equals(key)) {
                return rule.substring(eq + 1);
            }
        }
        return null;
    }

    @Override
    public String toString() {
        // The env can carry pipeline secrets: never print it.
        return "BuildkiteJob[uuid=" + uuid + ", tags=" + agentQueryRules + ", priority=" + priority + "]";
    }
}

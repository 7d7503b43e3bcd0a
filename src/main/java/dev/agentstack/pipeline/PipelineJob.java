package dev.agentstack.pipeline;

import dev.agentstack.buildkite.BuildkiteJob;

/**
 * One job a pipeline step schedules, or the reason its step cannot be read.
 *
 * @param label   the step's label (with "(n/N)" for parallel jobs), or its key, or its first command line
 * @param key     the step key, or null
 * @param job     the job as Buildkite's GraphQL API would describe it; null when {@code problem} is set
 * @param problem why the step cannot be read, or null
 */
public record PipelineJob(String label, String key, BuildkiteJob job, String problem) {

    public PipelineJob(String label, String key, BuildkiteJob job) {
        this(label, key, job, null);
    }

    static PipelineJob unreadable(String label, String key, String problem) {
        return new PipelineJob(label, key, null, problem);
    }

    /** The step as users name it in messages: its label, else its key. */
    public String stepName() {
        return label != null ? label : key;
    }
}

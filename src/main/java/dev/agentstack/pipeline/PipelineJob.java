package dev.agentstack.pipeline;

import dev.agentstack.buildkite.BuildkiteJob;

/**
 * One job a pipeline step schedules.
 *
 * @param label the step's label (with "(n/N)" for parallel jobs), or its key, or its first command line
 * @param key   the step key, or null
 * @param job   the job as Buildkite's GraphQL API would describe it
 */
public record PipelineJob(String label, String key, BuildkiteJob job) {
}

package dev.agentstack.pipeline;

/**
 * The synthetic build a pipeline file's jobs belong to when we read it outside Buildkite (render, demo).
 */
public record PipelineContext(String org, String pipeline, int buildNumber, String branch, String repo, String webUrl) {

    /** What render and the demo use unless told otherwise. */
    public static PipelineContext local(String org, String pipeline) {
        return new PipelineContext(
                org,
                pipeline,
                1,
                "main",
                "https://github.com/" + org + "/" + pipeline + ".git",
                "https://buildkite.com");
    }

    public String buildUrl() {
        return webUrl + "/" + org + "/" + pipeline + "/builds/" + buildNumber;
    }
}

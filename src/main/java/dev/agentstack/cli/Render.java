package dev.agentstack.cli;

import dev.agentstack.config.ControllerConfig;
import dev.agentstack.pipeline.PipelineContext;
import dev.agentstack.pipeline.PipelineException;
import dev.agentstack.pipeline.PipelineJob;
import dev.agentstack.pipeline.PipelineReader;
import dev.agentstack.podspec.BuildResult;
import dev.agentstack.podspec.JobYaml;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.podspec.PodTemplateLookup;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * {@code render PIPELINE.yaml}: the Kubernetes Job the controller would create for each job of a pipeline file, as
 * YAML documents in step order. A step that cannot run gets {@code error: <step>: <reason>} on stderr and no Job.
 */
public final class Render {

    /** The synthetic organization render's jobs belong to (it shows in the build-url annotation). */
    public static final String ORG = "local";

    private Render() {
    }

    /**
     * Renders a pipeline and returns the exit code: 0 when every step became a Job, 1 otherwise.
     *
     * @param pipelineName the pipeline slug to use (the file name without extension)
     * @param uuids        job uuids, one per job (random on the command line, fixed in tests)
     */
    public static int run(String pipelineName, String yaml, ControllerConfig config, Supplier<String> uuids,
                          PrintStream out, PrintStream err) {
        java.util.List<PipelineJob> jobs;
        try {
            jobs = new PipelineReader(PipelineContext.local(ORG, pipelineName), uuids).readEach(yaml);
        } catch (PipelineException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        int exit = 0;
        for (PipelineJob job : jobs) {
            if (job.problem() != null) {
                err.println("error: " + job.stepName() + ": " + job.problem());
                exit = 1;
                continue;
            }
            BuildResult result = PodSpecBuilder.build(job.job(), config.forJob(job.job().agentQueryRules()),
                    PodTemplateLookup.OFFLINE);
            if (result.valid()) {
                out.print("---\n" + JobYaml.write(result.job()));
            } else {
                err.println("error: " + job.stepName() + ": " + result.reason());
                exit = 1;
            }
        }
        return exit;
    }
}

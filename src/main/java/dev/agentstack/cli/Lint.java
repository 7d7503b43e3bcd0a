package dev.agentstack.cli;

import dev.agentstack.config.ControllerConfig;
import dev.agentstack.pipeline.PipelineContext;
import dev.agentstack.pipeline.PipelineException;
import dev.agentstack.pipeline.PipelineJob;
import dev.agentstack.pipeline.PipelineReader;
import dev.agentstack.podspec.PluginLint;
import java.io.PrintStream;
import java.util.List;
import java.util.UUID;

/**
 * {@code lint PIPELINE.yaml} (or {@code -} for stdin): checks every step's kubernetes plugin offline against the
 * shipped JSON schema and the builder's own rules. Prints {@code <step>: <path>: <problem>} per problem; exit code 1
 * when there is any, else 0 (the original printed errors and still exited 0).
 */
public final class Lint {

    private Lint() {}

    public static int run(String pipelineName, String yaml, ControllerConfig config, PrintStream out, PrintStream err) {
        List<PipelineJob> jobs;
        try {
            jobs = new PipelineReader(
                            PipelineContext.local(Render.ORG, pipelineName),
                            () -> UUID.randomUUID().toString())
                    .readEach(yaml);
        } catch (PipelineException e) {
            err.println(pipelineName + ": " + e.getMessage());
            return 1;
        }
        PluginLint lint = new PluginLint();
        int problems = 0;
        for (PipelineJob job : jobs) {
            List<String> found = job.problem() != null
                    ? List.of(job.problem())
                    : lint.problems(job.job(), config.forJob(job.job().agentQueryRules()));
            for (String problem : found) {
                out.println(job.stepName() + ": " + problem);
                problems++;
            }
        }
        if (problems == 0) {
            out.println(pipelineName + ": valid (" + jobs.size() + " job" + (jobs.size() == 1 ? "" : "s") + ")");
            return 0;
        }
        return 1;
    }
}

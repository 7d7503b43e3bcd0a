package dev.agentstack.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.agentstack.config.ConfigException;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.pipeline.PipelineContext;
import dev.agentstack.pipeline.PipelineException;
import dev.agentstack.pipeline.PipelineJob;
import dev.agentstack.pipeline.PipelineReader;
import dev.agentstack.podspec.BuildResult;
import dev.agentstack.podspec.JobYaml;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.podspec.PodTemplateLookup;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code render PIPELINE.yaml}: the Kubernetes Job the controller would create for each job of a pipeline file, in
 * step order, as YAML documents or as one JSON {@code List} (what {@code kubectl get -o json} prints and
 * {@code kubectl apply -f -} takes). A step that cannot run gets {@code error: <step>: <reason>} on stderr and no Job.
 */
public final class Render {

    /** The synthetic organization render's jobs belong to (it shows in the build-url annotation). */
    public static final String ORG = "local";

    /** Indented as {@code kubectl get -o json} prints: {@code "key": value}, one array element per line. */
    private static final ObjectWriter JSON = new ObjectMapper()
            .writer(new DefaultPrettyPrinter()
                    .withSeparators(
                            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n"))
                    .withObjectIndenter(new DefaultIndenter("  ", "\n")));

    /** How the Jobs are printed ({@code -o}). */
    public enum Format {
        YAML,
        JSON;

        static Format named(String name) {
            for (Format f : values()) {
                if (f.name().toLowerCase(Locale.ROOT).equals(name)) {
                    return f;
                }
            }
            throw new ConfigException("option --output: expected yaml or json, got \"" + name + "\"");
        }
    }

    private Render() {}

    /**
     * Renders a pipeline and returns the exit code: 0 when every step became a Job, 1 otherwise.
     *
     * @param pipelineName the pipeline slug to use (the file name without extension)
     * @param uuids        job uuids, one per job (random on the command line, fixed in tests)
     */
    public static int run(
            String pipelineName,
            String yaml,
            ControllerConfig config,
            Format format,
            Supplier<String> uuids,
            PrintStream out,
            PrintStream err) {
        List<PipelineJob> jobs;
        try {
            jobs = new PipelineReader(PipelineContext.local(ORG, pipelineName), uuids).readEach(yaml);
        } catch (PipelineException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        int exit = 0;
        List<Job> rendered = new ArrayList<>();
        for (PipelineJob job : jobs) {
            if (job.problem() != null) {
                err.println("error: " + job.stepName() + ": " + job.problem());
                exit = 1;
                continue;
            }
            BuildResult result = PodSpecBuilder.build(
                    job.job(), config.forJob(job.job().agentQueryRules()), PodTemplateLookup.OFFLINE);
            if (result.valid()) {
                rendered.add(result.job());
            } else {
                err.println("error: " + job.stepName() + ": " + result.reason());
                exit = 1;
            }
        }
        out.print(format == Format.YAML ? yaml(rendered) : json(rendered));
        return exit;
    }

    private static String yaml(List<Job> jobs) {
        StringBuilder sb = new StringBuilder();
        jobs.forEach(job -> sb.append("---\n").append(JobYaml.write(job)));
        return sb.toString();
    }

    private static String json(List<Job> jobs) {
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("apiVersion", "v1");
        list.put("kind", "List");
        list.put("items", jobs);
        try {
            return JSON.writeValueAsString(list) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.agentstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentstack.testing.ApiServerRules;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Job that render prints for the examples would be accepted by a Kubernetes API server ({@link ApiServerRules}:
 * the API server's own rules, written out independently of the builder's checks).
 */
class RenderedJobsAreValidTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Stream<Path> pipelines() {
        return ExampleRenders.pipelines().stream();
    }

    @ParameterizedTest
    @MethodSource("pipelines")
    void everyRenderedJobIsValid(Path pipeline) throws Exception {
        List<Job> jobs = new ArrayList<>();
        for (String doc : ExampleRenders.render(pipeline).stdout().split("(?m)^---\n")) {
            if (!doc.isBlank()) {
                jobs.add(YAML.readValue(doc, Job.class));
            }
        }
        assertThat(jobs).as("jobs rendered from " + pipeline).isNotEmpty();
        for (Job job : jobs) {
            assertThat(ApiServerRules.violations(job))
                    .as("what the API server would refuse in "
                            + job.getMetadata().getName())
                    .isEmpty();
        }
    }
}

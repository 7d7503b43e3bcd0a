package dev.agentstack.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Leadership is gated one way, visible in each route: a step that calls the leaderElection bean's isLeader, never a
 * route policy or a Simple expression (see {@link LeaderElection}).
 */
class LeaderOnlyStepsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everyLeaderCheckIsAStepThatCallsIsLeader() throws IOException {
        List<String> onlyTheLeaderSteps = new ArrayList<>();
        for (Path file : files()) {
            String text = Files.readString(file);
            assertThat(text).as(file + ": no route policy gates leadership").doesNotContain("routePolicy");
            assertThat(text)
                    .as(file + ": no Simple expression asks for leadership")
                    .doesNotContain("isLeader}");
            collect(YAML.readTree(file.toFile()), onlyTheLeaderSteps);
        }
        assertThat(onlyTheLeaderSteps)
                .containsExactlyInAnyOrder(
                        "only-the-leader-acts-on-jobs",
                        "only-the-leader-acts-on-pods",
                        "only-the-leader-checks-cancellations");
    }

    @Test
    void theSourceKameletPollsOnTheLeaderOnlyAndTheScheduleRouteSaysSo() throws IOException {
        JsonNode kamelet = YAML.readTree(
                Path.of("kamelets/buildkite-scheduled-jobs-source.kamelet.yaml").toFile());
        JsonNode first = kamelet.at("/spec/template/from/steps/0/choice/when/0/method");
        assertThat(first.path("ref").asText()).isEqualTo("{{leader}}");
        assertThat(first.path("method").asText()).isEqualTo("isLeader");
        assertThat(Files.readString(Path.of("routes/schedule-jobs.camel.yaml"))).contains("leader: leaderElection");
    }

    /** The ids of steps whose expression is leaderElection.isLeader; each must start with only-the-leader. */
    private static void collect(JsonNode node, List<String> ids) {
        if (node.isObject()) {
            JsonNode method = node.path("method");
            if ("leaderElection".equals(method.path("ref").asText())
                    && "isLeader".equals(method.path("method").asText())) {
                assertThat(node.path("id").asText()).startsWith("only-the-leader");
                ids.add(node.path("id").asText());
            }
        }
        node.forEach(child -> collect(child, ids));
    }

    private static List<Path> files() throws IOException {
        List<Path> all = new ArrayList<>();
        for (String dir : List.of("routes", "kamelets")) {
            try (Stream<Path> s = Files.list(Path.of(dir))) {
                s.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(all::add);
            }
        }
        return all;
    }
}

package dev.agentstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.testing.HostilePipelines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code render} refuses every step of the hostile-pipelines table with its rule and field path, and exits 1. */
class RenderRefusesHostilePipelinesTest {

    @TempDir
    Path dir;

    private static CommandRun run(String... args) {
        return CommandRun.of(args);
    }

    static Stream<HostilePipelines> table() {
        return HostilePipelines.all().stream();
    }

    @Test
    void theTableHasAtLeastFortyDistinctEntries() {
        List<String> names =
                HostilePipelines.all().stream().map(HostilePipelines::name).toList();
        assertThat(names).hasSizeGreaterThanOrEqualTo(40).doesNotHaveDuplicates();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void renderRefusesTheStepNamingTheRuleAndTheField(HostilePipelines hostile) throws Exception {
        Path pipeline = Files.writeString(dir.resolve(hostile.name() + ".yaml"), hostile.pipelineYaml());
        Path config = Files.writeString(dir.resolve("config.yaml"), hostile.configYaml());

        CommandRun r = run("render", "--config", config.toString(), pipeline.toString());

        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).as("no Job printed").doesNotContain("kind: Job");
        assertThat(r.err())
                .startsWith("error: " + hostile.name() + ": ")
                .contains(hostile.rule() + ": ")
                .contains(hostile.path());
    }

    @Test
    void lintRefusesTheSameSteps() throws Exception {
        List<String> missed = new ArrayList<>();
        for (HostilePipelines hostile : HostilePipelines.all()) {
            Path pipeline = Files.writeString(dir.resolve(hostile.name() + ".yaml"), hostile.pipelineYaml());
            Path config = Files.writeString(dir.resolve("config.yaml"), hostile.configYaml());
            CommandRun r = run("lint", "--config", config.toString(), pipeline.toString());
            if (r.exit() != 1
                    || !r.out().contains(hostile.rule() + ": ")
                    || !r.out().contains(hostile.path())) {
                missed.add(hostile.name() + ": " + r.out());
            }
        }
        assertThat(missed).isEmpty();
    }

    @Test
    void thePrivilegedStepRendersAtThePrivilegedLevel() throws Exception {
        HostilePipelines privileged = HostilePipelines.all().stream()
                .filter(h -> h.name().equals("privileged-container"))
                .findFirst()
                .orElseThrow();
        Path pipeline = Files.writeString(dir.resolve("privileged.yaml"), privileged.pipelineYaml());

        CommandRun r = run("render", "--pod-security-level", "privileged", pipeline.toString());

        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("privileged: true");
    }
}

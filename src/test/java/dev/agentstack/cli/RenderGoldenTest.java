package dev.agentstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example pipeline renders exactly to its checked-in golden file in examples/rendered/, reviewed like code.
 * Regenerate after an intended change: {@code mvn -B -q test -Dtest=RenderGoldenTest -Dgolden.update=true}.
 */
class RenderGoldenTest {

    static Stream<Path> pipelines() {
        return ExampleRenders.pipelines().stream();
    }

    @ParameterizedTest
    @MethodSource("pipelines")
    void rendersAsTheGoldenFileSays(Path pipeline) throws Exception {
        ExampleRenders rendered = ExampleRenders.render(pipeline);
        Path golden = ExampleRenders.RENDERED.resolve(rendered.name() + ".yaml");
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, rendered.golden());
            return;
        }
        assertThat(golden).as("golden file for " + pipeline).exists();
        assertThat(rendered.golden())
                .as(golden + " is stale: run mvn -B -q test -Dtest=RenderGoldenTest -Dgolden.update=true and review"
                        + " the diff")
                .isEqualTo(Files.readString(golden));
    }

    @Test
    void renderingIsDeterministic() {
        for (Path pipeline : ExampleRenders.pipelines()) {
            assertThat(ExampleRenders.render(pipeline).golden())
                    .isEqualTo(ExampleRenders.render(pipeline).golden());
        }
    }

    @Test
    void onlyTheProhibitedPluginExampleFails() {
        for (Path pipeline : ExampleRenders.pipelines()) {
            ExampleRenders rendered = ExampleRenders.render(pipeline);
            boolean prohibited = rendered.name().equals("prohibited-plugin");
            assertThat(rendered.exitCode()).as(rendered.name() + " exit code").isEqualTo(prohibited ? 1 : 0);
            assertThat(rendered.stderr())
                    .as(rendered.name() + " stderr")
                    .isEqualTo(
                            prohibited
                                    ? "error: Uses the plugin: refused: the kubernetes plugin is prohibited by this controller, but was"
                                            + " configured on this job\n"
                                    : "");
        }
    }
}

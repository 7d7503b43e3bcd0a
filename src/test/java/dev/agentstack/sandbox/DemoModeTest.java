package dev.agentstack.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import dev.agentstack.testing.LogCapture;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's demo: the real routes against the embedded fakes, seeded from examples/pipelines. */
class DemoModeTest {

    @Test
    void theDemoCreatesAJobForEveryExampleOnItsQueueAndReportsTheOnesThatCannotRun() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit;
        List<String> logLines;
        try (LogCapture logs = new LogCapture()) {
            exit = DemoMode.run(Map.of(), null, 20, Map.of(), new PrintStream(bytes, true, StandardCharsets.UTF_8));
            logLines = logs.lines();
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        // the demo's tokens are demo-<uuid> and demo-agent-<uuid>: neither is printed nor logged
        assertThat(logLines).isNotEmpty()
                .noneMatch(l -> Pattern.compile("demo-(agent-)?[0-9a-f]{8}-[0-9a-f]{4}").matcher(l).find());

        assertThat(exit).isZero();
        assertThat(out).contains("other-queue.yaml", "(not our queue: the controller ignores it)")
                .contains("-> created Kubernetes Job buildkite-");
        Matcher summary =
                Pattern.compile("demo: stopped: (\\d+) of (\\d+) jobs for queue=kubernetes have a Kubernetes Job")
                .matcher(out);
        assertThat(summary.find()).as(out).isTrue();
        assertThat(summary.group(1)).isEqualTo(summary.group(2));
        assertThat(Integer.parseInt(summary.group(1))).isGreaterThanOrEqualTo(2);
        assertThat(out).doesNotContainPattern("demo-[0-9a-f]{8}-[0-9a-f]{4}")
                .doesNotContainPattern("demo-agent-[0-9a-f]{8}");
        // The two examples that can never run are failed in Buildkite with a table that says why.
        assertThat(out).contains("\"Init container that fails\" was failed by the controller (exit status 3); its log:",
                "demo:     | The following init containers failed:")
                .containsPattern("demo:     \\| migrate-database +3 +Error")
                .contains("\"Image that cannot be pulled\" was failed by the controller (exit status 1); its log:")
                .containsPattern("demo:     \\| imagecheck-0 +registry.example.com/team/does-not-exist:1.0"
                        + " +(ErrImagePull|ImagePullBackOff)")
                .contains("passed (simulated agent)");
    }
}

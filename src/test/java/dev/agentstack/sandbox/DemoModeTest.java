package dev.agentstack.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.testing.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's demo: the real routes against the embedded fakes, seeded from examples/pipelines. */
class DemoModeTest {

    @Test
    void theDemoRunsEveryExampleUnderItsConfigAndSaysWhatBecameOfEachJob() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit;
        List<String> logLines;
        try (LogCapture logs = new LogCapture()) {
            exit = DemoMode.run(Map.of(), null, 20, Map.of(), new PrintStream(bytes, true, StandardCharsets.UTF_8));
            logLines = logs.lines();
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        // the demo's tokens are demo-<uuid> and demo-agent-<uuid>: neither is printed nor logged
        assertThat(logLines)
                .isNotEmpty()
                .noneMatch(l -> Pattern.compile("demo-(agent-)?[0-9a-f]{8}-[0-9a-f]{4}")
                        .matcher(l)
                        .find());

        assertThat(exit).isZero();
        assertThat(out)
                .contains("other-queue.yaml", "(not our queue: the controller ignores it)")
                .contains("-> created Kubernetes Job buildkite-");
        // Vert.x's blocked-thread checker of the embedded API server says nothing (it used to, with a stack trace).
        assertThat(logLines).noneMatch(l -> l.contains("has been blocked") || l.contains("Thread blocked"));
        assertThat(out).doesNotContain("has been blocked", "Thread blocked");

        // The closing summary: every job is accounted for, and only the other queue's job is left alone.
        Matcher summary = Pattern.compile("demo: summary: (\\d+) created, (\\d+) failed by the controller, (\\d+)"
                        + " ignored \\(of (\\d+) Buildkite jobs")
                .matcher(out);
        assertThat(summary.find()).as(out).isTrue();
        assertThat(Integer.parseInt(summary.group(1))).isGreaterThanOrEqualTo(2);
        assertThat(summary.group(2)).isEqualTo("3");
        assertThat(summary.group(3)).isEqualTo("1");
        assertThat(out).as("the refused job never had a Job").contains("; 2 failed after their Job was created)");
        assertThat(out)
                .containsPattern("\"Runs on the macOS fleet\" ignored: not ours \\(no queue of this controller"
                        + " takes queue=macos\\)");

        // Each example runs under its own examples/configs file: the prohibited plugin is refused, not run.
        assertThat(out)
                .contains("(config: examples/configs/prohibited-plugin.yaml)")
                .containsPattern("\"No plugin: allowed\" -> created Kubernetes Job")
                .containsPattern("\"More CPU for this step\" -> created Kubernetes Job")
                .doesNotContainPattern("\"Uses the plugin: refused\" -> created")
                .containsPattern("\"Uses the plugin: refused\" was failed by the controller"
                        + " \\(exit status [1-9]\\d*\\); its log:")
                .contains("the kubernetes plugin is prohibited by this controller");
        assertThat(out)
                .doesNotContainPattern("demo-[0-9a-f]{8}-[0-9a-f]{4}")
                .doesNotContainPattern("demo-agent-[0-9a-f]{8}");
        // The two examples that can never run are failed in Buildkite with a table that says why.
        assertThat(out)
                .contains(
                        "\"Init container that fails\" was failed by the controller (exit status 3); its log:",
                        "demo:     | The following init containers failed:")
                .containsPattern("demo:     \\| migrate-database +3 +Error")
                .contains("\"Image that cannot be pulled\" was failed by the controller (exit status 1); its log:")
                .containsPattern("demo:     \\| imagecheck-0 +registry.example.com/team/does-not-exist:1.0"
                        + " +(ErrImagePull|ImagePullBackOff)")
                .contains("passed (simulated agent)");
    }

    @Test
    void theDemoRunsThroughTheStacksApiWhenAskedTo() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit;
        List<String> logLines;
        try (LogCapture logs = new LogCapture()) {
            exit = DemoMode.run(
                    Map.of("buildkite-api", "stacks"),
                    null,
                    20,
                    Map.of(),
                    new PrintStream(bytes, true, StandardCharsets.UTF_8));
            logLines = logs.lines();
        }
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertThat(exit).isZero();
        assertThat(logLines)
                .anyMatch(l -> l.contains("registered stack agent-stack-camel-"))
                .noneMatch(l -> Pattern.compile("demo-(agent-)?[0-9a-f]{8}-[0-9a-f]{4}")
                        .matcher(l)
                        .find());
        assertThat(out)
                .contains("-> created Kubernetes Job buildkite-")
                .containsPattern("\"No plugin: allowed\" -> created Kubernetes Job")
                .doesNotContainPattern("\"Uses the plugin: refused\" -> created")
                .containsPattern("\"Runs on the macOS fleet\" ignored");
    }
}

package dev.agentstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstack.testing.FreePort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a platform engineer sees when neither the Kubernetes API nor Buildkite can be reached: {@code run --log-format
 * json} prints JSON lines only, no stack trace, and few of them. Slow (about 20 s): it runs the controller as a child
 * JVM for {@link #SECONDS} seconds, because the log format is the process's own and the lines to count are its
 * standard output. The reminders after a minute are OutageLogTest's.
 */
class NothingReachableLogTest {

    static final int SECONDS = 12;
    /** The bound the issue sets for 25 s; a shorter run must stay within it too. */
    static final int MOST_LINES = 40;

    @Test
    void jsonLinesOnlyNoStackTracesAndFewOfThem(@TempDir Path dir) throws Exception {
        // Both APIs on a local port nothing listens on: refused at once, never the internet.
        int closed = FreePort.find();
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:%d"}}]
                users: [{name: u, user: {token: not-a-real-token}}]
                contexts: [{name: x, context: {cluster: c, user: u}}]
                current-context: x
                """.formatted(closed));
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        AgentStackCamel.class.getName(),
                        "run",
                        "--org",
                        "acme",
                        "--graphql-endpoint",
                        "http://127.0.0.1:" + closed + "/graphql",
                        "--agent-endpoint",
                        "http://127.0.0.1:" + closed + "/v3",
                        "--management-port",
                        String.valueOf(FreePort.find()),
                        "--log-format",
                        "json",
                        "--max-seconds",
                        String.valueOf(SECONDS))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("BUILDKITE_TOKEN", "bkua_not-a-real-token");
        pb.environment().keySet().removeIf(k -> k.startsWith("AGENT_STACK_") || k.startsWith("KUBERNETES_"));
        Process process = pb.start();
        try {
            assertThat(process.waitFor(SECONDS + 120, TimeUnit.SECONDS))
                    .as("the controller stopped")
                    .isTrue();
        } finally {
            process.destroyForcibly();
        }

        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(Files.readString(err)).isEmpty();
        assertThat(process.exitValue()).isZero();
        assertThat(lines).isNotEmpty().hasSizeLessThanOrEqualTo(MOST_LINES);
        List<JsonNode> events = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            events.add(parse(json, line));
        }
        assertThat(events).allSatisfy(e -> {
            assertThat(e.has("loggerName")).isTrue();
            assertThat(e.path("throwable").isNull() || e.path("level").asText().equals("ERROR"))
                    .isTrue();
        });
        // The outages are said, once each, with their cause.
        assertThat(events)
                .filteredOn(e -> e.get("loggerName").asText().equals("dev.agentstack.kubernetes"))
                .singleElement()
                .satisfies(e -> assertThat(e.get("formattedMessage").asText()).contains("failed: Connection refused"));
        assertThat(events)
                .filteredOn(e -> e.get("loggerName").asText().equals("dev.agentstack.monitor"))
                .singleElement()
                .satisfies(e -> assertThat(e.get("formattedMessage").asText())
                        .contains("queue kubernetes: poll failed (connection)"));
        assertThat(String.join("\n", lines)).doesNotContain("not-a-real-token");
    }

    private static JsonNode parse(ObjectMapper json, String line) {
        try {
            return json.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }
}

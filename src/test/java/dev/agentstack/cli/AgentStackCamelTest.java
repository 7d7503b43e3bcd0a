package dev.agentstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.config.Option;
import dev.agentstack.config.Options;
import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.testing.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line as a user meets it: exit codes, one-line errors, help. */
class AgentStackCamelTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return AgentStackCamel.run(
                args,
                env,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void plainHelpListsTheCommandsAndPointsAtTheirHelp() {
        assertThat(run(Map.of(), "--help")).isZero();
        for (String command : new String[] {"run", "demo", "render", "lint", "version"}) {
            assertThat(out()).containsOnlyOnce("\n  " + command + " ");
        }
        assertThat(out()).contains("COMMAND --help").doesNotContain("--org", "--namespace", "--output");
        assertThat(err()).isEmpty();
    }

    @Test
    void commandHelpShowsOnlyTheOptionsTheCommandTakes() {
        assertThat(run(Map.of(), "render", "--help")).isZero();
        assertThat(out())
                .startsWith("Usage: java -jar agent-stack-camel.jar render [OPTIONS] PIPELINE.yaml\n")
                .contains("-o, --output yaml|json", "--namespace STRING", "--config FILE")
                .doesNotContain("--max-seconds");
        out.reset();
        assertThat(run(Map.of(), "lint", "-h")).isZero();
        assertThat(out()).contains("--namespace STRING").doesNotContain("--output", "--max-seconds");
        out.reset();
        assertThat(run(Map.of(), "demo", "--help")).isZero();
        assertThat(out()).contains("--max-seconds N").doesNotContain("--org", "--output");
        out.reset();
        assertThat(run(Map.of(), "version", "--help")).isZero();
        assertThat(out()).contains("-h, --help").doesNotContain("--org", "--config", "--max-seconds", "--output");
    }

    @Test
    void helpCommandShowsTheSameAsCommandHelp() {
        assertThat(run(Map.of(), "lint", "--help")).isZero();
        String lintHelp = out();
        out.reset();
        assertThat(run(Map.of(), "help", "lint")).isZero();
        assertThat(out()).isEqualTo(lintHelp);
        out.reset();
        assertThat(run(Map.of(), "help")).isZero();
        assertThat(out()).contains("COMMAND --help");
    }

    @Test
    void helpWinsOverAMistypedFlag() {
        assertThat(run(Map.of(), "render", "--outptu", "json", "--help")).isZero();
        assertThat(out()).contains("render [OPTIONS]");
        assertThat(err()).isEmpty();
    }

    @Test
    void runHelpListsEveryOptionWithItsDefault() {
        assertThat(run(Map.of(), "run", "--help")).isZero();
        for (Option<?> o : Options.ALL) {
            if (o.isFileOnly()) {
                assertThat(out()).contains("  " + o.key() + ": ");
            } else {
                assertThat(out()).contains(o.flag());
                if (o.defaultValue() != null && !o.toText(o.defaultValue()).isEmpty()) {
                    assertThat(out()).contains("(default: " + o.toText(o.defaultValue()) + ";");
                }
            }
        }
        assertThat(out()).contains("(default: 1s;", "(default: queue=kubernetes;", "(default: none, required;");
    }

    @Test
    void versionPrintsTheVersion() {
        assertThat(run(Map.of(), "version")).isZero();
        // the build is when Maven built the classes (resource filtering), not the "dev" of an unfiltered file
        assertThat(out()).matches("agent-stack-camel \\S+ \\(build \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)\n");
    }

    @Test
    void aManagementPortThatCannotBeBoundExitsWith2InOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            int code = run(
                    Map.of("BUILDKITE_TOKEN", "t0ken-value"),
                    "run",
                    "--org",
                    "acme",
                    "--management-port",
                    String.valueOf(port));
            assertThat(code).isEqualTo(2);
            assertThat(out()).isEmpty();
            assertThat(err())
                    .isEqualTo("agent-stack-camel: option --management-port: cannot listen on port " + port
                            + " (Address already in use)\n");
        }
    }

    @Test
    void userErrorsAreOneLineWithExitCode2() {
        assertThat(run(Map.of(), "run", "--org", "acme", "--buildkite-api", "graphql"))
                .isEqualTo(2);
        assertThat(err())
                .isEqualTo("agent-stack-camel: option buildkite-token: required (set --buildkite-token,"
                        + " AGENT_STACK_BUILDKITE_TOKEN, BUILDKITE_TOKEN, buildkite-token: in the config file)\n");
    }

    @Test
    void unknownCommandsAndFlagsAreRefused() {
        assertThat(run(Map.of(), "deploy")).isEqualTo(2);
        assertThat(err()).contains("unknown command \"deploy\"");
        err.reset();
        assertThat(run(Map.of("BUILDKITE_TOKEN", "t"), "--org", "acme", "--colour", "blue"))
                .isEqualTo(2);
        assertThat(err()).isEqualTo("agent-stack-camel: unknown option --colour (see run --help)\n");
        err.reset();
        assertThat(run(Map.of(), "run", "--poll-interval")).isEqualTo(2);
        assertThat(err()).isEqualTo("agent-stack-camel: option --poll-interval needs a value\n");
    }

    @Test
    void aMistypedFlagOrCommandNamesTheNearestOne() {
        assertThat(run(Map.of("BUILDKITE_TOKEN", "t"), "--org", "acme", "--max-inflight", "3"))
                .isEqualTo(2);
        assertThat(err())
                .isEqualTo("agent-stack-camel: unknown option --max-inflight (did you mean --max-in-flight?)\n");
        err.reset();
        assertThat(run(Map.of(), "render", "--outptu", "json", "x.yaml")).isEqualTo(2);
        assertThat(err()).isEqualTo("agent-stack-camel: unknown option --outptu (did you mean --output?)\n");
        err.reset();
        assertThat(run(Map.of(), "rendr", "x.yaml")).isEqualTo(2);
        assertThat(err()).isEqualTo("agent-stack-camel: unknown command \"rendr\" (did you mean render?)\n");
        err.reset();
        assertThat(run(Map.of(), "help", "versoin")).isEqualTo(2);
        assertThat(err()).isEqualTo("agent-stack-camel: unknown command \"versoin\" (did you mean version?)\n");
    }

    @Test
    void aFlagFarFromEveryNameGetsNoGuess() {
        assertThat(run(Map.of(), "render", "--foo", "x.yaml")).isEqualTo(2);
        assertThat(err()).isEqualTo("agent-stack-camel: unknown option --foo (see render --help)\n");
        err.reset();
        assertThat(run(Map.of(), "deploy")).isEqualTo(2);
        assertThat(err())
                .isEqualTo("agent-stack-camel: unknown command \"deploy\""
                        + " (commands: run, demo, render, lint, version)\n");
    }

    @Test
    void aFlagOfAnotherCommandIsRefused() {
        assertThat(run(Map.of(), "version", "--org", "acme")).isEqualTo(2);
        assertThat(err()).isEqualTo("agent-stack-camel: unknown option --org (see version --help)\n");
        err.reset();
        assertThat(run(Map.of(), "render", "--max-seconds", "3", "x.yaml")).isEqualTo(2);
        assertThat(err()).isEqualTo("agent-stack-camel: unknown option --max-seconds (see render --help)\n");
    }

    @Test
    void anUnknownPrefixedVariableOrAPlainHttpEndpointExitsWith2() {
        assertThat(run(Map.of("BUILDKITE_TOKEN", "t", "AGENT_STACK_NAMESPCE", "ci"), "run", "--org", "acme"))
                .isEqualTo(2);
        assertThat(err())
                .isEqualTo("agent-stack-camel: unknown environment variable AGENT_STACK_NAMESPCE"
                        + " (did you mean AGENT_STACK_NAMESPACE?)\n");
        err.reset();
        assertThat(run(
                        Map.of("BUILDKITE_TOKEN", "t"),
                        "run",
                        "--org",
                        "acme",
                        "--graphql-endpoint",
                        "http://graphql.example.com/v1"))
                .isEqualTo(2);
        assertThat(err()).startsWith("agent-stack-camel: option graphql-endpoint: must be an https URL");
    }

    @Test
    void runWithAnOrganizationThatDoesNotExistExitsWith2() {
        try (FakeBuildkite fake = FakeBuildkite.start("acme", "t0ken-value")) {
            // No Kubernetes API is reachable here: the organization check must not depend on it.
            int code = run(
                    Map.of(
                            "BUILDKITE_TOKEN",
                            "t0ken-value",
                            "AGENT_STACK_NAMESPACE",
                            "ns",
                            "AGENT_STACK_MANAGEMENT_PORT",
                            "0"),
                    "--org",
                    "acme-typo",
                    "--graphql-endpoint",
                    fake.graphqlEndpoint(),
                    "--debug");
            assertThat(code).isEqualTo(2);
            assertThat(out() + err()).doesNotContain("t0ken-value");
        }
    }

    @Test
    void runWarnsOnceAtStartAboutEachOfTheOriginalsKeysItIgnores() {
        try (FakeBuildkite fake = FakeBuildkite.start("acme", "t0ken-value");
                LogCapture logs = new LogCapture()) {
            run(
                    Map.of(
                            "BUILDKITE_TOKEN",
                            "t0ken-value",
                            "AGENT_STACK_NAMESPACE",
                            "ns",
                            "AGENT_STACK_MANAGEMENT_PORT",
                            "0",
                            "PROFILER_ADDRESS",
                            "localhost:6060",
                            "LOG_HTTP_PAYLOADS",
                            "true"),
                    "--org",
                    "acme-typo",
                    "--graphql-endpoint",
                    fake.graphqlEndpoint(),
                    "--no-color",
                    "--profiler-address",
                    "localhost:6060");
            assertThat(logs.lines())
                    .filteredOn(l -> l.contains("profiler-address"))
                    .singleElement()
                    .asString()
                    .startsWith("WARN")
                    .contains("ignoring profiler-address (PROFILER_ADDRESS)", "pprof");
            assertThat(logs.lines())
                    .filteredOn(l -> l.contains("log-http-payloads"))
                    .hasSize(1);
            assertThat(logs.lines()).filteredOn(l -> l.contains("no-color")).hasSize(1);
        }
    }
}

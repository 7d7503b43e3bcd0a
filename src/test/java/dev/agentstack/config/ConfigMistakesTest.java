package dev.agentstack.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Mistakes in the configuration that used to pass unnoticed, or said too much: each is one clear error now. */
class ConfigMistakesTest {

    private static final Map<String, String> REQUIRED = Map.of("org", "acme", "buildkite-token", "bkua_secret_1");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://graphql.example.com/v1",
                "http://127.0.0.1:8080/v1",
                "http://127.9.9.9/v1",
                "http://localhost:4000/v1",
                "http://[::1]:4000/v1"
            })
    void endpointsAreHttpsOrLoopback(String url) {
        assertThat(ConfigLoader.load(
                                Map.of(
                                        "org",
                                        "acme",
                                        "buildkite-token",
                                        "t",
                                        "graphql-endpoint",
                                        url,
                                        "agent-endpoint",
                                        url),
                                null,
                                Map.of(),
                                true)
                        .graphqlEndpoint())
                .isEqualTo(url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"graphql-endpoint", "agent-endpoint"})
    void aPlainHttpEndpointElsewhereIsRefused(String option) {
        assertThatThrownBy(() -> ConfigLoader.load(
                        Map.of(
                                "org",
                                "acme",
                                "buildkite-token",
                                "t",
                                option,
                                "http://user:pa55word@graphql.example.com/v1"),
                        null,
                        Map.of(),
                        true))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option " + option + ": must be an https URL (plain http only to 127.0.0.1, ::1 or"
                        + " localhost), got http://graphql.example.com");
        assertThatThrownBy(() -> ConfigLoader.load(
                        Map.of("org", "acme", "buildkite-token", "t", option, "http://127.0.0.1.example.com/v1"),
                        null,
                        Map.of(),
                        true))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void maxResponseSizeIsAQuantityOfBytes() {
        assertThat(ConfigLoader.load(REQUIRED, null, Map.of(), true).maxResponseSize())
                .isEqualTo(32L << 20);
        assertThat(ConfigLoader.load(
                                Map.of("org", "acme", "buildkite-token", "t", "max-response-size", "1000"),
                                null,
                                Map.of(),
                                true)
                        .maxResponseSize())
                .isEqualTo(1000);
        assertThatThrownBy(() -> ConfigLoader.load(
                        Map.of("org", "acme", "buildkite-token", "t", "max-response-size", "0.5"),
                        null,
                        Map.of(),
                        true))
                .hasMessage("option max-response-size: must be a positive quantity of bytes such as 32Mi or 1000000,"
                        + " got \"0.5\"");
    }

    @Test
    void anUnknownPrefixedVariableIsAnErrorWithTheNearestName() {
        assertThatThrownBy(() -> ConfigLoader.load(REQUIRED, null, Map.of("AGENT_STACK_POLL_INTERVALL", "5s"), true))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown environment variable AGENT_STACK_POLL_INTERVALL"
                        + " (did you mean AGENT_STACK_POLL_INTERVAL?)");
        assertThatThrownBy(() -> ConfigLoader.load(REQUIRED, null, Map.of("AGENT_STACK_FLUX_CAPACITOR", "on"), true))
                .hasMessage("unknown environment variable AGENT_STACK_FLUX_CAPACITOR (see --help)");
        assertThatThrownBy(() -> ConfigLoader.load(REQUIRED, null, Map.of("AGENT_STACK_POD_SPEC_PATCH", "{}"), true))
                .hasMessage("unknown environment variable AGENT_STACK_POD_SPEC_PATCH (pod-spec-patch can only be set"
                        + " in a config file)");
    }

    @Test
    void variablesThatAreNotOptionsButDocumentedStayAccepted() throws Exception {
        Path f = Files.writeString(dir.resolve("c.yaml"), "org: acme\n");
        assertThat(ConfigLoader.load(
                                Map.of("buildkite-token", "t"),
                                null,
                                Map.of(
                                        "AGENT_STACK_CONFIG",
                                        f.toString(),
                                        "BUILDKITE_TOKEN",
                                        "t",
                                        "AGENT_STACK_DEBUG",
                                        "true",
                                        "OTHER_TOOL_SETTING",
                                        "x"),
                                true)
                        .org())
                .isEqualTo("acme");
    }

    @Test
    void anErrorAboutASecretNeverQuotesIt() {
        Option<Integer> secretNumber =
                Option.of("secret-number", Option.Kind.INTEGER, 1, "test").secret();
        assertThatThrownBy(() -> secretNumber.fromText("bkua_not_a_number"))
                .hasMessage("option secret-number: expected an integer, got a string");
        Option<java.time.Duration> secretDuration = Option.of(
                        "secret-duration", Option.Kind.DURATION, (java.time.Duration) null, "test")
                .secret();
        assertThatThrownBy(() -> secretDuration.fromText("bkua_not_a_duration"))
                .message()
                .doesNotContain("bkua_not_a_duration");
        Option<String> checked = Option.of("secret-text", Option.Kind.STRING, "", "test")
                .secret()
                .check(Option.rule(v -> v.startsWith("bkua_") ? null : "must start with bkua_, got \"" + v + "\""));
        assertThat(checked.firstProblem("ghp_0123456789")).isEqualTo("must start with bkua_, got \"(hidden)\"");
        assertThat(checked.firstProblem("ab")).doesNotContain("\"ab\"");
    }

    @Test
    void anEmptyConfigFileSaysItIsEmpty() throws Exception {
        Path f = Files.writeString(dir.resolve("empty.yaml"), "# nothing here yet\n\n");
        assertThatThrownBy(() -> ConfigLoader.load(REQUIRED, f.toString(), Map.of(), true))
                .hasMessage("config file " + f + ": is empty (it sets no option)");
    }

    @Test
    void aFileThatIsNotUtf8SaysWhereItStopsBeing() throws Exception {
        Path f = dir.resolve("latin1.yaml");
        Files.write(f, "org: caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ConfigLoader.load(REQUIRED, f.toString(), Map.of(), true))
                .hasMessage("config file " + f + ": not UTF-8 text (byte offset 8)");
    }

    @Test
    void aKeyGivenTwiceIsAnErrorNamingItAndItsLine() throws Exception {
        Path f = Files.writeString(dir.resolve("twice.yaml"), """
                org: acme
                max-in-flight: 5
                namespace: ci
                max-in-flight: 50
                """);
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("buildkite-token", "t"), f.toString(), Map.of(), true))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "config file " + f + ": key \"max-in-flight\" appears twice in one mapping" + " (line 4");
    }
}

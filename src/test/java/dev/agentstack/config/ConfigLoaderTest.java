package dev.agentstack.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    private static final Map<String, String> REQUIRED = Map.of("org", "acme", "buildkite-token", "secret-token-1");

    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void defaultsAreTheOriginalControllersDefaults() {
        ControllerConfig c = ConfigLoader.load(REQUIRED, null, Map.of(), true);
        assertThat(c.graphqlEndpoint()).isEqualTo("https://graphql.buildkite.com/v1");
        assertThat(c.tags()).containsExactly("queue=kubernetes");
        assertThat(c.queue()).isEqualTo("kubernetes");
        assertThat(c.id()).isEqualTo("agent-stack-camel");
        assertThat(c.namespace()).isEqualTo("default");
        assertThat(c.maxInFlight()).isEqualTo(25);
        assertThat(c.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.jobTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.image()).isEqualTo("ghcr.io/buildkite/agent:3.136.2");
        assertThat(c.agentTokenSecret()).isEqualTo("buildkite-agent-token");
        assertThat(c.imagePullBackoffGracePeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.prohibitKubernetesPlugin()).isFalse();
        assertThat(c.clusterUuid()).isEmpty();
        assertThat(c.graphqlPageSize()).isEqualTo(100);
        assertThat(c.paginationDepthLimit()).isEqualTo(20);
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws IOException {
        Path f = file("""
                org: from-file
                buildkite-token: file-token
                max-in-flight: 5
                namespace: file-ns
                poll-interval: 3s
                job-ttl: 20m
                """);
        Map<String, String> env = Map.of(
                "AGENT_STACK_MAX_IN_FLIGHT", "7",
                "AGENT_STACK_NAMESPACE", "env-ns",
                "AGENT_STACK_POLL_INTERVAL", "4s",
                "BUILDKITE_TOKEN", "env-token");
        ControllerConfig c =
                ConfigLoader.load(Map.of("max-in-flight", "9", "poll-interval", "5s"), f.toString(), env, true);

        assertThat(c.maxInFlight()).as("flag over env over file").isEqualTo(9);
        assertThat(c.pollInterval()).as("flag over env").isEqualTo(Duration.ofSeconds(5));
        assertThat(c.namespace()).as("env over file").isEqualTo("env-ns");
        assertThat(c.buildkiteToken()).as("BUILDKITE_TOKEN over file").isEqualTo("env-token");
        assertThat(c.jobTtl()).as("file over default").isEqualTo(Duration.ofMinutes(20));
        assertThat(c.org()).as("file only").isEqualTo("from-file");
        assertThat(c.image()).as("default").isEqualTo(Options.DEFAULT_IMAGE);
    }

    @Test
    void thePrefixedTokenVariableBeatsTheUnprefixedOne() {
        ControllerConfig c = ConfigLoader.load(
                Map.of("org", "acme"),
                null,
                Map.of("BUILDKITE_TOKEN", "plain", "AGENT_STACK_BUILDKITE_TOKEN", "prefixed"),
                true);
        assertThat(c.buildkiteToken()).isEqualTo("prefixed");
    }

    @Test
    void genericEnvironmentVariablesDoNotLeakIn() {
        ControllerConfig c = ConfigLoader.load(
                REQUIRED,
                null,
                Map.of("IMAGE", "evil:latest", "NAMESPACE", "other", "ORG", "x", "DEBUG", "true", "TAGS", "queue=x"),
                true);
        assertThat(c.image()).isEqualTo(Options.DEFAULT_IMAGE);
        assertThat(c.namespace()).isEqualTo("default");
        assertThat(c.org()).isEqualTo("acme");
        assertThat(c.debug()).isFalse();
        assertThat(c.queue()).isEqualTo("kubernetes");
    }

    @Test
    void theConfigFileCanComeFromTheEnvironment() throws IOException {
        Path f = file("org: via-env-file\n");
        assertThat(ConfigLoader.load(Map.of("buildkite-token", "t"), null, Map.of("CONFIG", f.toString()), true)
                        .org())
                .isEqualTo("via-env-file");
        assertThat(ConfigLoader.load(
                                Map.of("buildkite-token", "t"),
                                null,
                                Map.of("AGENT_STACK_CONFIG", f.toString(), "CONFIG", "/does/not/exist"),
                                true)
                        .org())
                .isEqualTo("via-env-file");
    }

    @Test
    void kubernetesObjectsInTheFileKeepTheirKeysIncludingDottedOnes() throws IOException {
        Path f = file("""
                org: acme
                buildkite-token: t
                tags: [queue=kubernetes, os=linux]
                pod-spec-patch:
                  nodeSelector:
                    kubernetes.io/arch: arm64
                    node.kubernetes.io/instance-type: m7g.large
                  containers:
                    - name: container-0
                      resources:
                        requests: {cpu: 500m, memory: 1Gi}
                default-metadata:
                  annotations:
                    cluster-autoscaler.kubernetes.io/safe-to-evict: "true"
                additional-redacted-vars: [MY_*_SECRET]
                """);
        ControllerConfig c = ConfigLoader.load(Map.of(), f.toString(), Map.of(), true);
        assertThat(c.tags()).containsExactly("queue=kubernetes", "os=linux");
        @SuppressWarnings("unchecked")
        Map<String, Object> nodeSelector =
                (Map<String, Object>) c.podSpecPatch().get("nodeSelector");
        assertThat(nodeSelector)
                .containsExactly(
                        Map.entry("kubernetes.io/arch", "arm64"),
                        Map.entry("node.kubernetes.io/instance-type", "m7g.large"));
        assertThat(c.defaultMetadata().annotations())
                .containsEntry("cluster-autoscaler.kubernetes.io/safe-to-evict", "true");
        assertThat(c.additionalRedactedVars()).containsExactly("MY_*_SECRET");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "max-in-flight: lots         | option max-in-flight: expected an integer, got \"lots\"",
                "max-in-flight: -1           | option max-in-flight: must be 0 or more, got -1",
                "poll-interval: 500ms        | option poll-interval: must be at least 1s, got 500ms",
                "poll-interval: soon         | option poll-interval: expected a duration such as 30s, 5m or 1h30m, got"
                        + " \"soon\"",
                "poll-interval: 5            | option poll-interval: expected a duration such as 30s or 5m, got number 5",
                "tags: [os=linux]            | option tags: must contain a queue tag, e.g. queue=kubernetes",
                "tags: [queue=a, queue=b]    | option tags: must contain exactly one queue tag, got 2",
                "tags: [queue=a, linux]      | option tags: tag \"linux\" is not key=value",
                "prohibit-kubernetes-plugin: maybe | option prohibit-kubernetes-plugin: expected true or false, got"
                        + " \"maybe\"",
                "namespace: Bad_Name         | option namespace: must be a valid namespace name (lower-case letters,"
                        + " digits and '-'), got \"Bad_Name\"",
                "id: '*'                     | option id: must be a valid Kubernetes label value (1-63 characters:"
                        + " letters, digits, '-', '_', '.'), got \"*\"",
                "cluster-uuid: not-a-uuid    | option cluster-uuid: expected a cluster UUID such as"
                        + " beefcafe-abbe-baba-abba-deedcedecade, got \"not-a-uuid\"",
                "graphql-page-size: 501      | option graphql-page-size: must be between 1 and 500, got 501",
                "pagination-depth-limit: 0   | option pagination-depth-limit: must be between 1 and 20, got 0",
                "pod-spec-patch: [a]         | option pod-spec-patch: expected an object, got a list",
                "colour: blue                | config file CONFIG: unknown option \"colour\"",
                "pod-security-level: strict  | option pod-security-level: must be privileged, baseline or restricted, got"
                        + " \"strict\"",
                "run-as-user: 0              | option run-as-user: must be a non-root uid (1 or more), got 0",
                "max-container-resources: {gpu: 1} | option max-container-resources: unknown resource \"gpu\" (cpu,"
                        + " memory or ephemeral-storage)",
                "max-container-resources: {cpu: lots} | option max-container-resources: cpu must be a Kubernetes quantity"
                        + " such as 200m or 128Mi, got \"lots\"",
                "allowed-service-accounts: [Admin] | option allowed-service-accounts: \"Admin\" is not a service account"
                        + " name",
                "'queues: [{tags: [queue=a], pod-security-level: open}]' | option queues: [0]: pod-security-level must be"
                        + " privileged, baseline or restricted, got \"open\"",
            })
    void eachProblemIsOneLineNamingTheOption(String yaml, String message) throws IOException {
        Path f = file("org: acme\nbuildkite-token: t\n" + yaml + "\n");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of(), f.toString(), Map.of(), true))
                .isInstanceOf(ConfigException.class)
                .hasMessage(message.replace("CONFIG", f.toString()));
    }

    @Test
    void flagAndEnvironmentValuesAreCheckedToo() {
        assertThatThrownBy(() -> ConfigLoader.load(
                        Map.of("org", "a", "buildkite-token", "t", "tags", "os=linux"), null, Map.of(), true))
                .hasMessage("option tags: must contain a queue tag, e.g. queue=kubernetes");
        assertThatThrownBy(() -> ConfigLoader.load(REQUIRED, null, Map.of("AGENT_STACK_POLL_INTERVAL", "0s"), true))
                .hasMessage("option poll-interval: must be at least 1s, got 0s");
        assertThatThrownBy(() -> ConfigLoader.load(
                        Map.of("org", "a", "buildkite-token", "t", "colour", "blue"), null, Map.of(), true))
                .hasMessage("unknown option --colour (see --help)");
        assertThatThrownBy(() -> ConfigLoader.load(
                        Map.of("org", "a", "buildkite-token", "t", "pod-spec-patch", "{}"), null, Map.of(), true))
                .hasMessage("unknown option --pod-spec-patch (it can only be set in a config file)");
    }

    @Test
    void missingRequiredOptionsSayWhereToSetThem() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("buildkite-token", "t"), null, Map.of(), true))
                .hasMessage("option org: required (set --org, AGENT_STACK_ORG, org: in the config file)");
        assertThatThrownBy(() ->
                        ConfigLoader.load(Map.of("org", "acme", "buildkite-api", "graphql"), null, Map.of(), true))
                .hasMessage("option buildkite-token: required (set --buildkite-token, AGENT_STACK_BUILDKITE_TOKEN,"
                        + " BUILDKITE_TOKEN, buildkite-token: in the config file)");
        assertThat(ConfigLoader.load(Map.of(), null, Map.of(), false).org())
                .as("render and lint need no org")
                .isNull();
    }

    @Test
    void withoutAGraphqlTokenJobsComeFromTheStacksApiWhichNeedsNoOrgOrToken() {
        ControllerConfig stacks = ConfigLoader.load(Map.of(), null, Map.of(), true);
        assertThat(stacks.buildkiteApi()).isEqualTo("stacks");
        assertThat(ConfigLoader.load(Map.of("org", "acme"), null, Map.of("BUILDKITE_TOKEN", "t"), true)
                        .buildkiteApi())
                .isEqualTo("graphql");
        assertThat(ConfigLoader.load(
                                Map.of("buildkite-api", "stacks", "org", "acme", "buildkite-token", "t"),
                                null,
                                Map.of(),
                                true)
                        .usesStacksApi())
                .isTrue();
    }

    @Test
    void eachQueueHasAStackKeyAndAClusterQueueKey() {
        ControllerConfig one = ConfigLoader.load(Map.of("id", "ci.k8s", "queue", "linux"), null, Map.of(), true);
        assertThat(one.stackKey(one.queues().get(0))).isEqualTo("ci-k8s");
        assertThat(one.stackQueueKey(one.queues().get(0))).isEqualTo("linux");
        ControllerConfig tagged = ConfigLoader.load(Map.of(), null, Map.of(), true);
        assertThat(tagged.stackQueueKey(tagged.queues().get(0)))
                .as("the queue tag")
                .isEqualTo("kubernetes");
    }

    @Test
    void aTokenOfTheWrongTypeIsNotEchoed() throws IOException {
        Path f = file("org: acme\nbuildkite-token: [bkua_leaked_value]\n");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of(), f.toString(), Map.of(), true))
                .hasMessage("option buildkite-token: expected a string, got a list")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("bkua_leaked_value"));
    }

    @Test
    void brokenFilesAreReportedWithoutTheirContent() throws IOException {
        Path f = file("org: acme\nbuildkite-token: bkua_secret\n  bad: [indent\n");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of(), f.toString(), Map.of(), true))
                .hasMessageStartingWith("config file " + f + ": not valid YAML (line ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("bkua_secret"));
        assertThatThrownBy(() ->
                        ConfigLoader.load(Map.of(), dir.resolve("missing.yaml").toString(), Map.of(), true))
                .hasMessage("config file " + dir.resolve("missing.yaml") + ": no such file");
    }

    /** The queue option names the cluster queue; the Camel property of the same name must not contradict it. */
    @Test
    void theQueueCamelPropertyIsTheQueueOption() {
        ControllerConfig c = ControllerConfig.builder()
                .set(Options.TAGS, List.of("queue=kubernetes"))
                .set(Options.QUEUE, "linux")
                .build();
        assertThat(c.toCamelProperties().getProperty("queue")).isEqualTo("linux");
    }

    @Test
    void optionsBecomeCamelPropertiesWithoutSecrets() {
        ControllerConfig c = ConfigLoader.load(
                Map.of(
                        "org",
                        "acme",
                        "buildkite-token",
                        "bkua_x",
                        "poll-interval",
                        "2s",
                        "cluster-uuid",
                        "beefcafe-abbe-baba-abba-deedcedecade"),
                null,
                Map.of(),
                true);
        var p = c.toCamelProperties();
        assertThat(p.getProperty("poll-interval")).isEqualTo("2000");
        assertThat(p.getProperty("org")).isEqualTo("acme");
        assertThat(p.getProperty("queue")).isEqualTo("kubernetes");
        assertThat(p.getProperty("tags")).isEqualTo("queue=kubernetes");
        assertThat(p.getProperty("cluster-node-id")).isNotEmpty();
        assertThat(p.values()).noneMatch(v -> v.toString().contains("bkua_x"));
        assertThat(p).doesNotContainKey("buildkite-token");
    }

    @Test
    void everyOptionHasAKebabCaseKeyADescriptionAndAUniqueName() {
        assertThat(Options.ALL)
                .extracting(Option::key)
                .doesNotHaveDuplicates()
                .allMatch(k -> k.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*"));
        assertThat(Options.ALL).allSatisfy(o -> assertThat(o.description()).isNotBlank());
        assertThat(Options.byKey("poll-interval")).isSameAs(Options.POLL_INTERVAL);
        assertThat(List.of(Options.ORG.envName(), Options.POLL_INTERVAL.envName()))
                .containsExactly("AGENT_STACK_ORG", "AGENT_STACK_POLL_INTERVAL");
    }
}

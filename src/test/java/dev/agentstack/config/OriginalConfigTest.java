package dev.agentstack.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A user of agent-stack-k8s v0.47 moves over with their config file and their environment variables unchanged. */
class OriginalConfigTest {

    /** Sets every key of v0.47's Config struct. */
    static final Path ORIGINAL_CONFIG = Path.of("src/test/resources/agent-stack-k8s-v0.47-config.yaml");

    /**
     * The variables v0.47 read (cmd/controller/flags.go): Kong's upper snake case of each flag, except the controller
     * id and the integration tests' token, which the struct names itself. CONFIG names the config file, as ours does.
     */
    static final List<String> ORIGINAL_ENV = List.of(
            "JOB_TTL",
            "JOB_ACTIVE_DEADLINE_SECONDS",
            "JOB_PREFIX",
            "DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS",
            "NAMESPACE",
            "BUILDKITE_K8S_STACK_CONTROLLER_ID",
            "JOB_CREATION_CONCURRENCY",
            "AGENT_TOKEN_SECRET",
            "IMAGE",
            "MAX_IN_FLIGHT",
            "TAGS",
            "QUEUE",
            "PROMETHEUS_PORT",
            "PROFILER_ADDRESS",
            "POLL_INTERVAL",
            "HTTP_TIMEOUT",
            "PAGINATION_PAGE_SIZE",
            "PAGINATION_DEPTH_LIMIT",
            "QUERY_RESET_INTERVAL",
            "ENABLE_QUEUE_PAUSE",
            "ENABLE_COMPLETION_WATCHER",
            "WORK_QUEUE_LIMIT",
            "RESERVATION_EXPIRY_SECONDS",
            "K8S_CLIENT_RATE_LIMITER_QPS",
            "K8S_CLIENT_RATE_LIMITER_BURST",
            "IMAGE_PULL_BACKOFF_GRACE_PERIOD",
            "JOB_CANCEL_CHECKER_POLL_INTERVAL",
            "EMPTY_JOB_GRACE_PERIOD",
            "POD_PENDING_TIMEOUT",
            "DEFAULT_IMAGE_PULL_POLICY",
            "DEFAULT_IMAGE_CHECK_PULL_POLICY",
            "SKIP_IMAGE_CHECK_CONTAINERS",
            "IMAGE_CHECK_CONTAINER_CPU_LIMIT",
            "IMAGE_CHECK_CONTAINER_MEMORY_LIMIT",
            "PROHIBIT_KUBERNETES_PLUGIN",
            "ALLOW_POD_SPEC_PATCH_UNSAFE_COMMAND_MODIFICATION",
            "INTEGRATION_TEST_BUILDKITE_TOKEN",
            "GRAPHQL_ENDPOINT",
            "LOG_FORMAT",
            "NO_COLOR",
            "DEBUG",
            "LOG_LEVEL",
            "LOG_HTTP_PAYLOADS");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path dir;

    @Test
    void theOriginalsConfigFileLoadsAndIsActedOn() {
        ControllerConfig c = ConfigLoader.load(Map.of(), ORIGINAL_CONFIG.toString(), Map.of(), false);

        assertThat(c.get(Options.QUEUE)).isEqualTo("linux");
        assertThat(c.get(Options.PROMETHEUS_PORT)).isEqualTo(9216);
        assertThat(c.get(Options.PAGINATION_PAGE_SIZE)).isEqualTo(500);
        assertThat(c.get(Options.QUERY_RESET_INTERVAL)).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.get(Options.WORK_QUEUE_LIMIT)).isEqualTo(5000);
        assertThat(c.get(Options.RESERVATION_EXPIRY_SECONDS)).isEqualTo(600);
        assertThat(c.get(Options.ENABLE_QUEUE_PAUSE)).isTrue();
        assertThat(c.enableCompletionWatcher()).isTrue();
        assertThat(c.logFormat()).isEqualTo("json");
        assertThat(c.logLevel()).isEqualTo("warn");
        assertThat(c.maxInFlight()).isEqualTo(50);
        assertThat(c.id()).isEqualTo("ci-linux");
        assertThat(c.defaultResourceClassName()).isEqualTo("small");
        // The integration tests' token is not a GraphQL token for polling: it must not switch the source to GraphQL.
        assertThat(c.buildkiteToken()).isNull();
    }

    @Test
    void eachKeyThatDoesNothingHereGetsOneWarningThatNamesItAndSaysWhy() {
        ControllerConfig c = ConfigLoader.load(Map.of(), ORIGINAL_CONFIG.toString(), Map.of(), false);

        assertThat(c.warnings()).hasSize(Options.IGNORED.size());
        for (IgnoredOption ignored : Options.IGNORED) {
            assertThat(c.warnings())
                    .filteredOn(w -> w.contains(ignored.key()))
                    .singleElement()
                    .asString()
                    .contains(ignored.reason());
        }
        assertThat(String.join("\n", c.warnings())).doesNotContain("0riginalIntegrationT0ken");
    }

    @Test
    void aKeyIgnoredInTheFileAndTheEnvironmentIsWarnedAboutOnce() throws IOException {
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, "profiler-address: localhost:6060\n");
        ControllerConfig c =
                asController(Map.of(), f.toString(), Map.of("PROFILER_ADDRESS", "localhost:6060", "NO_COLOR", "true"));
        assertThat(c.warnings()).hasSize(2);
        assertThat(c.warnings()).filteredOn(w -> w.contains("profiler-address")).hasSize(1);
        assertThat(c.warnings()).filteredOn(w -> w.contains("no-color")).hasSize(1);
    }

    @Test
    void aConfigWithoutTheOriginalsKeysHasNoWarnings() {
        assertThat(asController(Map.of(), null, Map.of("QUEUE", "linux")).warnings())
                .isEmpty();
    }

    static Stream<String> originalEnvNames() {
        return ORIGINAL_ENV.stream().filter(name -> ignored(name) == null);
    }

    /** Each variable sets its option to what the same value in the config file would. */
    @ParameterizedTest
    @MethodSource("originalEnvNames")
    void theOriginalsVariableSetsItsOption(String name) throws IOException {
        Option<?> option = optionOf(name);
        assertThat(option).as(name + " reads no option").isNotNull();
        Object expected = option.fromYaml(originalFileValues().get(option.key()));

        ControllerConfig c = asController(Map.of(), null, Map.of(name, option.toText(expected)));

        assertThat(c.isSet(option)).isTrue();
        assertThat((Object) c.get(option)).isEqualTo(expected);
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void theCatalogueReadsExactlyTheOriginalsVariables() {
        Set<String> read = new TreeSet<>();
        Options.ALL.stream().map(Option::originalEnvName).filter(n -> n != null).forEach(read::add);
        Options.IGNORED.stream().map(IgnoredOption::originalEnvName).forEach(read::add);
        assertThat(read).isEqualTo(new TreeSet<>(ORIGINAL_ENV));
    }

    @Test
    void ourNamesWinOverTheOriginalsWhichWinOverTheFile() {
        ControllerConfig both = asController(
                Map.of(),
                ORIGINAL_CONFIG.toString(),
                Map.of("MAX_IN_FLIGHT", "5", "AGENT_STACK_MAX_IN_FLIGHT", "7", "QUEUE", "arm64"));
        assertThat(both.maxInFlight()).isEqualTo(7);
        assertThat(both.get(Options.QUEUE)).isEqualTo("arm64");
    }

    @Test
    void aBadValueInAnOriginalVariableNamesTheOption() {
        // What a Service named prometheus would inject into the pod through Kubernetes' service links.
        Map<String, String> env = Map.of("PROMETHEUS_PORT", "tcp://10.0.0.1:9090");
        assertThatThrownBy(() -> asController(Map.of(), null, env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("prometheus-port");
    }

    @Test
    void thePrometheusPortCannotBeTheManagementPort() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("prometheus-port", "8080"), null, Map.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option prometheus-port: must differ from management-port, which serves the metrics at"
                        + " /observe/metrics already, got 8080 for both");
    }

    /** docs/upgrading.md has a row for every key and variable of the original. */
    @Test
    void theUpgradeGuideNamesEveryKeyAndVariableOfTheOriginal() throws IOException {
        String guide = Files.readString(Path.of("docs/upgrading.md"));
        for (String key : originalFileValues().keySet()) {
            assertThat(guide).as("docs/upgrading.md names " + key).contains("`" + key + "`");
        }
        for (String name : ORIGINAL_ENV) {
            assertThat(guide).as("docs/upgrading.md names " + name).contains("`" + name + "`");
        }
    }

    /** render and lint read only our names: a shell's IMAGE or NAMESPACE must not change what they print. */
    @Test
    void onlyTheControllerReadsTheOriginalsVariables() {
        Map<String, String> env = Map.of("IMAGE", "other:latest", "MAX_IN_FLIGHT", "5", "PROFILER_ADDRESS", "x:1");
        ControllerConfig rendering = ConfigLoader.load(Map.of(), null, env, false);
        assertThat(rendering.image()).isEqualTo(Options.DEFAULT_IMAGE);
        assertThat(rendering.maxInFlight()).isEqualTo(Options.DEFAULT_MAX_IN_FLIGHT);
        assertThat(rendering.warnings()).isEmpty();
        assertThat(asController(Map.of(), null, env).image()).isEqualTo("other:latest");
    }

    /** As the run command loads it: with agent-stack-k8s' variable names (org and token are not checked here). */
    private static ControllerConfig asController(Map<String, String> flags, String file, Map<String, String> env) {
        return ConfigLoader.load(flags, file, env, false, true);
    }

    private static Option<?> optionOf(String envName) {
        return Options.ALL.stream()
                .filter(o -> envName.equals(o.originalEnvName()))
                .findFirst()
                .orElse(null);
    }

    private static IgnoredOption ignored(String envName) {
        return Options.IGNORED.stream()
                .filter(i -> i.originalEnvName().equals(envName))
                .findFirst()
                .orElse(null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> originalFileValues() throws IOException {
        return YAML.readValue(ORIGINAL_CONFIG.toFile(), Map.class);
    }

    @Test
    void theFixtureSetsEveryKeyTheCatalogueKnowsTheOriginalHad() throws IOException {
        Set<String> keys = originalFileValues().keySet();
        for (String name : ORIGINAL_ENV) {
            String key = name.equals("BUILDKITE_K8S_STACK_CONTROLLER_ID")
                    ? "id"
                    : name.toLowerCase(Locale.ROOT).replace('_', '-');
            assertThat(keys).as("the fixture sets " + key).contains(key);
        }
    }
}

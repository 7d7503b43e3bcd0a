package dev.agentstack.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code helm upgrade} from agent-stack-k8s v0.47 with its values file unchanged and
 * {@code --set agentToken=x --set config.queue=linux}, as its users install it: the chart renders, the values pass
 * values.schema.json (Helm checks them while rendering), and the controller starts in Stacks mode with the agent token
 * alone.
 */
class OriginalValuesTest {

    private static final String FULLNAME = RenderedChart.RELEASE + "-agent-stack-camel";
    private static final String AGENT_TOKEN = "x-agent-token-of-the-cluster";

    @TempDir
    Path scratch;

    /** The original's own values as released, and a platform team's file of the kind its README describes. */
    static Stream<Path> originalValues() {
        return Stream.of(
                Path.of("src/test/resources/agent-stack-k8s-v0.47-values.yaml"),
                Path.of("src/test/resources/agent-stack-k8s-v0.47-user-values.yaml"));
    }

    private static RenderedChart upgrade(Path values) {
        return RenderedChart.render(
                values, t -> t.set("agentToken", AGENT_TOKEN).set("config.queue", "linux"));
    }

    @ParameterizedTest
    @MethodSource("originalValues")
    void theControllerTakesJobsFromTheStacksApiWithTheAgentTokenAlone(Path values) {
        RenderedChart chart = upgrade(values);
        List<String> env =
                chart.controller().getEnv().stream().map(EnvVar::getName).toList();
        assertThat(env).as("no GraphQL token").doesNotContain("BUILDKITE_TOKEN");
        EnvVar agentToken = chart.controller().getEnv().stream()
                .filter(e -> e.getName().equals("BUILDKITE_AGENT_TOKEN"))
                .findFirst()
                .orElseThrow();
        assertThat(agentToken.getValue()).isNull();
        assertThat(agentToken.getValueFrom().getSecretKeyRef().getName()).isEqualTo(FULLNAME + "-agent-token");
        assertThat(agentToken.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("BUILDKITE_AGENT_TOKEN");
        Secret secret = (Secret) chart.named("Secret", FULLNAME + "-agent-token");
        assertThat(new String(
                        Base64.getDecoder().decode(secret.getData().get("BUILDKITE_AGENT_TOKEN")),
                        StandardCharsets.UTF_8))
                .isEqualTo(AGENT_TOKEN);
        assertThat(chart.all(Secret.class)).as("no GraphQL-token Secret").hasSize(1);

        ControllerConfig config = chart.controllerConfig(scratch, Map.of("BUILDKITE_AGENT_TOKEN", AGENT_TOKEN), true);
        assertThat(config.org()).isNull();
        assertThat(config.buildkiteToken()).isNull();
        assertThat(config.get(Options.BUILDKITE_API))
                .as("unset, and with no GraphQL token that means stacks")
                .isNull();
        assertThat(config.usesStacksApi())
                .as("checked as run checks it, and resolved to the Stacks API")
                .isTrue();
        assertThat(config.get(Options.QUEUE)).isEqualTo("linux");
        assertThat(config.agentTokenSecret()).isEqualTo(FULLNAME + "-agent-token");
        assertThat(config.get(Options.PROMETHEUS_PORT)).isEqualTo(9216);
        assertThat(config.enableCompletionWatcher()).isTrue();
        for (ConfigMap map : chart.all(ConfigMap.class)) {
            assertThat(map.getData().values()).noneMatch(v -> v.contains(AGENT_TOKEN));
        }
    }

    @ParameterizedTest
    @MethodSource("originalValues")
    void theOriginalsControllerImageIsReplacedByOurs(Path values) {
        String image = upgrade(values).controller().getImage();
        assertThat(image).doesNotContain("agent-stack-k8s").startsWith("ghcr.io/agent-stack-camel/agent-stack-camel:");
    }

    /** What helm upgrade prints after it: the Stacks API, and that the original's controller image was not used. */
    @Test
    void theInstallNotesSayWhatRuns() {
        String notes = new Helm(RenderedChart.CHART)
                .install()
                .withName(RenderedChart.RELEASE)
                .withNamespace(RenderedChart.NAMESPACE)
                .withKubeVersion(RenderedChart.KUBE_VERSION)
                .withValuesFile(Path.of("src/test/resources/agent-stack-k8s-v0.47-values.yaml"))
                .set("agentToken", AGENT_TOKEN)
                .set("config.queue", "linux")
                .dryRun()
                .clientOnly()
                .call()
                .getOutput();
        assertThat(notes)
                .contains(
                        "takes jobs from Buildkite's Stacks API with the agent token",
                        "image: ghcr.io/buildkite/agent-stack-k8s/controller:0.47.0 is agent-stack-k8s' controller")
                .doesNotContain(AGENT_TOKEN);
    }

    @ParameterizedTest
    @MethodSource("originalValues")
    void thePrometheusPortIsTheMetricsPortAsInTheOriginal(Path values) {
        List<ContainerPort> ports = upgrade(values).controller().getPorts();
        assertThat(ports).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("metrics");
            assertThat(p.getContainerPort()).isEqualTo(9216);
        });
    }

    /** The user's file: its settings land in the controller's config, and the keys with no counterpart are warned. */
    @Test
    void aUsersSettingsAreActedOnAndTheIgnoredOnesWarned() {
        RenderedChart chart = upgrade(Path.of("src/test/resources/agent-stack-k8s-v0.47-user-values.yaml"));
        ControllerConfig config = chart.controllerConfig(scratch, Map.of("BUILDKITE_AGENT_TOKEN", AGENT_TOKEN), false);
        assertThat(config.tags()).containsExactly("queue=linux", "os=linux");
        assertThat(config.maxInFlight())
                .as("controllerEnv's MAX_IN_FLIGHT, the original's variable, beats the file")
                .isEqualTo(40);
        assertThat(config.get(Options.PAGINATION_PAGE_SIZE)).isEqualTo(500);
        assertThat(config.get(Options.WORK_QUEUE_LIMIT)).isEqualTo(10000);
        assertThat(config.get(Options.RESERVATION_EXPIRY_SECONDS)).isEqualTo(600);
        assertThat(config.logFormat()).isEqualTo("json");
        assertThat(config.warnings())
                .hasSize(2)
                .anySatisfy(w -> assertThat(w).contains("no-color"))
                .anySatisfy(w -> assertThat(w).contains("profiler-address"));
        assertThat(chart.deployment().getSpec().getTemplate().getSpec().getNodeSelector())
                .containsEntry("kubernetes.io/arch", "amd64");
    }

    /**
     * The original's other way: agentStackSecret, a Secret of the user's own with BUILDKITE_AGENT_TOKEN (and, before
     * v0.28, BUILDKITE_TOKEN). The controller reads both keys from it; without BUILDKITE_TOKEN it uses the Stacks API.
     */
    @Test
    void anExistingAgentStackSecretIsReadAsTheOriginalChartDid() {
        RenderedChart chart = RenderedChart.render(
                Path.of("src/test/resources/agent-stack-k8s-v0.47-values.yaml"),
                t -> t.set("agentStackSecret", "buildkite-agent-stack").set("config.queue", "linux"));
        assertThat(chart.all(Secret.class)).isEmpty();
        Map<String, EnvVar> env = new HashMap<>();
        chart.controller().getEnv().forEach(e -> env.put(e.getName(), e));
        assertThat(env.get("BUILDKITE_AGENT_TOKEN")
                        .getValueFrom()
                        .getSecretKeyRef()
                        .getName())
                .isEqualTo("buildkite-agent-stack");
        assertThat(env.get("BUILDKITE_TOKEN").getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("buildkite-agent-stack");
        assertThat(env.get("BUILDKITE_TOKEN").getValueFrom().getSecretKeyRef().getOptional())
                .isTrue();
        ControllerConfig config = chart.controllerConfig(scratch, Map.of("BUILDKITE_AGENT_TOKEN", AGENT_TOKEN), false);
        assertThat(config.agentTokenSecret()).isEqualTo("buildkite-agent-stack");
        assertThat(config.buildkiteToken()).isNull();
    }

    /** Kubernetes' service links would set PROMETHEUS_PORT=tcp://... for a Service named prometheus. */
    @Test
    void noServiceLinksReachTheControllersEnvironment() {
        RenderedChart chart = upgrade(Path.of("src/test/resources/agent-stack-k8s-v0.47-values.yaml"));
        assertThat(chart.deployment().getSpec().getTemplate().getSpec().getEnableServiceLinks())
                .isFalse();
    }

    /** The integration tests' token of the original never lands in a ConfigMap, but the controller still warns. */
    @Test
    void theOriginalsIntegrationTestTokenIsKeptOutOfTheConfigMap() {
        RenderedChart chart = RenderedChart.render(
                Path.of("src/test/resources/agent-stack-k8s-v0.47-values.yaml"),
                t -> t.set("agentToken", AGENT_TOKEN).set("config.integration-test-buildkite-token", "bkua_t0ken"));
        assertThat(chart.manifest()).doesNotContain("bkua_t0ken");
        ControllerConfig config = chart.controllerConfig(scratch, Map.of(), false);
        assertThat(config.warnings()).singleElement().asString().contains("integration-test-buildkite-token");
        assertThat(config.buildkiteToken()).isNull();
    }
}

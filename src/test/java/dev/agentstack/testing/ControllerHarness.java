package dev.agentstack.testing;

import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.runtime.Controller;
import dev.agentstack.sandbox.EmbeddedKubernetes;
import dev.agentstack.sandbox.FakeBuildkite;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The real controller and routes against FakeBuildkite and the CRUD Kubernetes mock server, for route-level tests.
 * Create it, schedule jobs on {@link #buildkite()}, then {@link #start()}.
 */
public final class ControllerHarness implements AutoCloseable {

    public static final String ORG = "acme";
    public static final String TOKEN = "bkua_test_token_5e7f0c1d";
    public static final String AGENT_TOKEN = "bkag_agent_token_9a8b7c6d";
    public static final String NAMESPACE = "buildkite";
    public static final Duration WAIT = Duration.ofSeconds(30);

    private final EmbeddedKubernetes kubernetes = new EmbeddedKubernetes();
    private final FakeBuildkite buildkite = FakeBuildkite.start(ORG, TOKEN);
    private final ControllerConfig config;
    private Controller controller;
    private dev.agentstack.sandbox.ClusterSimulator simulator;

    public ControllerHarness() {
        this(b -> b);
    }

    /** @param customise changes to the default test configuration (org, token, endpoint and namespace are set) */
    public ControllerHarness(UnaryOperator<ControllerConfig.Builder> customise) {
        ControllerConfig.Builder b = ControllerConfig.builder()
                .set(Options.ORG, ORG)
                .set(Options.BUILDKITE_TOKEN, TOKEN)
                .set(Options.GRAPHQL_ENDPOINT, buildkite.graphqlEndpoint())
                .set(Options.AGENT_ENDPOINT, buildkite.agentEndpoint())
                .set(Options.NAMESPACE, NAMESPACE)
                .set(Options.MANAGEMENT_PORT, 0);
        config = customise.apply(b).build();
        buildkite.withAgentToken(AGENT_TOKEN);
        kubernetes.client().secrets().inNamespace(NAMESPACE).resource(
                new io.fabric8.kubernetes.api.model.SecretBuilder()
                        .withNewMetadata().withName(config.agentTokenSecret()).endMetadata()
                        .addToData("BUILDKITE_AGENT_TOKEN", java.util.Base64.getEncoder().encodeToString(
                                AGENT_TOKEN.getBytes(java.nio.charset.StandardCharsets.UTF_8))).build()).create();
    }

    /** Plays the job controller and kubelet for our Jobs; close it with the harness. */
    public dev.agentstack.sandbox.ClusterSimulator simulateCluster() {
        return simulateCluster(Duration.ofMillis(500));
    }

    /** @param runFor how long each pod runs once its agent has taken the job (long: nothing finishes) */
    public dev.agentstack.sandbox.ClusterSimulator simulateCluster(Duration runFor) {
        if (simulator == null) {
            simulator = new dev.agentstack.sandbox.ClusterSimulator(kubernetes.newClient(), NAMESPACE,
                    "buildkite.com/controller-id=" + config.id(), runFor, uuid -> {
                        if (buildkite.uuids().contains(uuid) && "SCHEDULED".equals(buildkite.state(uuid))) {
                            buildkite.acquireAsAnotherAgent(uuid); // the pod's agent takes the job
                        }
                    });
        }
        return simulator;
    }

    private final java.util.Properties extraProperties = new java.util.Properties();

    /** A Camel property for the controller's routes (e.g. one a user route reads), before {@link #start()}. */
    public ControllerHarness withProperty(String key, String value) {
        extraProperties.setProperty(key, value);
        return this;
    }

    public ControllerHarness start() {
        controller = new Controller(config, kubernetes.newClient());
        extraProperties.forEach((k, v) -> controller.withProperty((String) k, (String) v));
        controller.start();
        return this;
    }

    /** Stops the controller and starts a new one on the same fakes, as a pod restart would. */
    public ControllerHarness restart() {
        controller.close();
        return start();
    }

    public FakeBuildkite buildkite() {
        return buildkite;
    }

    public EmbeddedKubernetes kubernetes() {
        return kubernetes;
    }

    public Controller controller() {
        return controller;
    }

    public ControllerConfig config() {
        return config;
    }

    /** The Jobs in the controller's namespace. */
    public List<Job> jobs() {
        return kubernetes.client().batch().v1().jobs().inNamespace(NAMESPACE).list().getItems();
    }

    public Job job(String uuid) {
        return kubernetes.client().batch().v1().jobs().inNamespace(NAMESPACE).withName(PodSpecBuilder.jobName(uuid))
                .get();
    }

    public int graphqlPolls() {
        return buildkite.graphqlRequests().size();
    }

    @Override
    public void close() {
        if (simulator != null) {
            simulator.close();
        }
        if (controller != null) {
            controller.close();
        }
        buildkite.close();
        kubernetes.close();
    }
}

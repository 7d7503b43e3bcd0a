package dev.agentstack.testing;

import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.runtime.Controller;
import dev.agentstack.sandbox.EmbeddedKubernetes;
import dev.agentstack.sandbox.FakeBuildkite;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The real controller and routes against FakeBuildkite and the CRUD Kubernetes mock server, for route-level tests, or
 * against a real API server ({@link #onCluster}). Create it, schedule jobs on {@link #buildkite()}, then
 * {@link #start()}.
 */
public final class ControllerHarness implements AutoCloseable {

    public static final String ORG = "acme";
    public static final String TOKEN = "bkua_test_token_5e7f0c1d";
    public static final String AGENT_TOKEN = "bkag_agent_token_9a8b7c6d";
    public static final String NAMESPACE = "buildkite";
    public static final Duration WAIT = Duration.ofSeconds(30);

    private final EmbeddedKubernetes kubernetes; // null on a real cluster
    private final Supplier<KubernetesClient> newClient;
    private final KubernetesClient client;
    private final String namespace;
    private final FakeBuildkite buildkite = FakeBuildkite.start(ORG, TOKEN);
    private final ControllerConfig config;
    private Controller controller;
    private dev.agentstack.sandbox.ClusterSimulator simulator;

    public ControllerHarness() {
        this(b -> b);
    }

    /** @param customise changes to the default test configuration (org, token, endpoint and namespace are set) */
    public ControllerHarness(UnaryOperator<ControllerConfig.Builder> customise) {
        this(new EmbeddedKubernetes(), null, NAMESPACE, customise);
    }

    /**
     * The controller against a real API server, in a new namespace of its own (the prefix and a random suffix, so runs
     * against a cluster kept from an earlier run never collide), waiting for its default ServiceAccount as the
     * ServiceAccount admission plugin requires before any pod.
     *
     * @param newClient a new client of that API server each call (the controller's own, and the harness's)
     */
    public static ControllerHarness onCluster(
            Supplier<KubernetesClient> newClient,
            String namespacePrefix,
            UnaryOperator<ControllerConfig.Builder> customise) {
        String namespace = namespacePrefix + "-"
                + Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36), 36);
        try (KubernetesClient admin = newClient.get()) {
            admin.namespaces()
                    .resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                            .withNewMetadata()
                            .withName(namespace)
                            .endMetadata()
                            .build())
                    .create();
            admin.serviceAccounts()
                    .inNamespace(namespace)
                    .withName("default")
                    .waitUntilCondition(Objects::nonNull, WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        return new ControllerHarness(null, newClient, namespace, customise);
    }

    private ControllerHarness(
            EmbeddedKubernetes embedded,
            Supplier<KubernetesClient> newClient,
            String namespace,
            UnaryOperator<ControllerConfig.Builder> customise) {
        this.kubernetes = embedded;
        this.newClient = embedded != null ? embedded::newClient : newClient;
        this.client = embedded != null ? embedded.client() : newClient.get();
        this.namespace = namespace;
        ControllerConfig.Builder b = ControllerConfig.builder()
                .set(Options.ORG, ORG)
                .set(Options.BUILDKITE_TOKEN, TOKEN)
                .set(Options.GRAPHQL_ENDPOINT, buildkite.graphqlEndpoint())
                .set(Options.AGENT_ENDPOINT, buildkite.agentEndpoint())
                .set(Options.NAMESPACE, namespace)
                .set(Options.MANAGEMENT_PORT, 0);
        config = customise.apply(b).build();
        buildkite.withAgentToken(AGENT_TOKEN);
        client.secrets()
                .inNamespace(namespace)
                .resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                        .withNewMetadata()
                        .withName(config.agentTokenSecret())
                        .endMetadata()
                        .addToData(
                                "BUILDKITE_AGENT_TOKEN",
                                java.util.Base64.getEncoder()
                                        .encodeToString(AGENT_TOKEN.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                        .build())
                .create();
    }

    /** Plays the job controller and kubelet for our Jobs; close it with the harness. */
    public dev.agentstack.sandbox.ClusterSimulator simulateCluster() {
        return simulateCluster(Duration.ofMillis(500));
    }

    /** @param runFor how long each pod runs once its agent has taken the job (long: nothing finishes) */
    public dev.agentstack.sandbox.ClusterSimulator simulateCluster(Duration runFor) {
        if (simulator == null) {
            simulator = new dev.agentstack.sandbox.ClusterSimulator(
                    newClient.get(), namespace, JobLabels.controllerSelector(config.id()), runFor, uuid -> {
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

    private Supplier<KubernetesClient> controllerClient;

    /** The controller's own client on a real cluster, e.g. one with a service account's token (default: admin's). */
    public ControllerHarness withControllerClient(Supplier<KubernetesClient> client) {
        this.controllerClient = client;
        return this;
    }

    public ControllerHarness start() {
        controller = new Controller(config, (controllerClient != null ? controllerClient : newClient).get());
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

    /** The mock API server; null on a real cluster, where {@link #client()} is the way in. */
    public EmbeddedKubernetes kubernetes() {
        return kubernetes;
    }

    /** A client of the API server the controller talks to, for a test's own reads and writes. */
    public KubernetesClient client() {
        return client;
    }

    public String namespace() {
        return namespace;
    }

    public Controller controller() {
        return controller;
    }

    public ControllerConfig config() {
        return config;
    }

    /** The Jobs in the controller's namespace. */
    public List<Job> jobs() {
        return client.batch().v1().jobs().inNamespace(namespace).list().getItems();
    }

    public Job job(String uuid) {
        return client.batch()
                .v1()
                .jobs()
                .inNamespace(namespace)
                .withName(PodSpecBuilder.jobName(uuid))
                .get();
    }

    /** Schedules the jobs of a pipeline file's text on {@link #buildkite()}, as Buildkite would; returns the uuids. */
    public List<String> schedulePipeline(String pipelineYaml) {
        List<dev.agentstack.pipeline.PipelineJob> jobs = new dev.agentstack.pipeline.PipelineReader(
                        dev.agentstack.pipeline.PipelineContext.local(ORG, "pipeline"),
                        () -> java.util.UUID.randomUUID().toString())
                .read(pipelineYaml);
        jobs.forEach(j -> buildkite.addJob(j.job(), j.label(), null));
        return jobs.stream().map(j -> j.job().uuid()).toList();
    }

    public int graphqlPolls() {
        return buildkite.graphqlRequests().size();
    }

    /** The job source's polls so far: GraphQL requests, or with the Stacks API its scheduled-jobs lists. */
    public int polls() {
        return config.usesStacksApi()
                ? (int) buildkite.requests().stream()
                        .filter(r -> r.path().endsWith("/scheduled-jobs"))
                        .count()
                : graphqlPolls();
    }

    /** The test configuration with jobs from this source: graphql or stacks (Buildkite's Stacks API). */
    public static UnaryOperator<ControllerConfig.Builder> source(String api) {
        return b -> b.set(Options.BUILDKITE_API, api);
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
        if (kubernetes != null) {
            kubernetes.close();
        } else {
            client.close();
        }
    }
}

package dev.agentstack.kamelets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentstack.buildkite.AgentApi;
import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.buildkite.FailureReport;
import dev.agentstack.buildkite.JobFailer;
import dev.agentstack.buildkite.PollBackoff;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.runtime.LeaderElection;
import dev.agentstack.sandbox.EmbeddedKubernetes;
import dev.agentstack.sandbox.FakeBuildkite;
import dev.agentstack.scheduling.PollGate;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each Kamelet of kamelets/ used alone in a small route, against the fakes: what a user wiring their own flow gets. */
class KameletsTest {

    private static final String TOKEN = "bkua_kamelet_test";
    private static final String AGENT_TOKEN = "bkag_kamelet_test";

    private final FakeBuildkite buildkite = FakeBuildkite.start("acme", TOKEN).withAgentToken(AGENT_TOKEN);
    private final CamelContext context = new DefaultCamelContext();

    @AfterEach
    void close() {
        context.stop();
        buildkite.close();
    }

    @Test
    void theSourceEmitsEachScheduledJobOfItsQueueHighestPriorityFirst() throws Exception {
        String low = buildkite.scheduleCommand("echo low", "queue=kubernetes");
        String high = buildkite.scheduleCommand("echo high", 5, null, "queue=kubernetes");
        buildkite.scheduleCommand("echo other", "queue=elsewhere");
        context.getRegistry()
                .bind(
                        "pollGate",
                        new PollGate(
                                new PollBackoff(Duration.ofSeconds(1), Clock.systemUTC(), new SimpleMeterRegistry()),
                                () -> false,
                                message -> {}));
        // The Kamelet polls on the leader only; with leader election off, this replica leads.
        context.getRegistry()
                .bind(
                        "leaderElection",
                        LeaderElection.of(ControllerConfig.builder().build(), null, "test"));
        // The token as a Kamelet property, as the controller passes it: never part of an endpoint URI.
        context.getPropertiesComponent()
                .addInitialProperty("camel.kamelet.buildkite-scheduled-jobs-source.token", TOKEN);
        List<String> received = new CopyOnWriteArrayList<>();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("kamelet:buildkite-scheduled-jobs-source?org=acme&queue=kubernetes&pollInterval=60000"
                                + "&graphqlEndpoint=" + buildkite.graphqlEndpoint())
                        .process(e -> received.add(
                                e.getMessage().getBody(BuildkiteJob.class).uuid()));
            }
        });
        context.start();

        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 2);
        assertThat(received).containsExactly(high, low);
        assertThat(buildkite.graphqlRequests().get(0).headers().get("authorization"))
                .containsExactly("Bearer " + TOKEN);
        assertThat(context.getEndpoints())
                .allSatisfy(e -> assertThat(e.getEndpointUri()).doesNotContain(TOKEN));
    }

    @Test
    void theStackSourceReservesAndEmitsTheJobsOfItsQueueAndDeregistersOnStop() throws Exception {
        String low = buildkite.scheduleCommand("echo low", "queue=kubernetes");
        String high = buildkite.scheduleCommand("echo high", 5, null, "queue=kubernetes");
        buildkite.scheduleCommand("echo other", "queue=elsewhere");
        context.getRegistry()
                .bind(
                        "pollGate",
                        new PollGate(
                                new PollBackoff(Duration.ofSeconds(1), Clock.systemUTC(), new SimpleMeterRegistry()),
                                () -> false,
                                message -> {}));
        context.getRegistry()
                .bind(
                        "leaderElection",
                        LeaderElection.of(ControllerConfig.builder().build(), null, "test"));
        context.getPropertiesComponent()
                .addInitialProperty("camel.kamelet.buildkite-stack-jobs-source.agentToken", AGENT_TOKEN);
        List<String> received = new CopyOnWriteArrayList<>();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("kamelet:buildkite-stack-jobs-source?stackKey=my-stack&queue=kubernetes"
                                + "&tags=RAW(queue=kubernetes)&pollInterval=60000&agentEndpoint="
                                + buildkite.agentEndpoint())
                        .process(e -> received.add(
                                e.getMessage().getBody(BuildkiteJob.class).uuid()));
            }
        });
        context.start();

        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 2);
        assertThat(received).containsExactly(high, low);
        assertThat(buildkite.stacks().reservedIds()).containsExactlyInAnyOrder(high, low);
        assertThat(context.getEndpoints())
                .allSatisfy(e -> assertThat(e.getEndpointUri()).doesNotContain(AGENT_TOKEN));
        context.stop();
        assertThat(buildkite.stacks().deregisteredStacks()).containsExactly("my-stack");
    }

    /** direct:create sends to the sink, namespace ci, with the API server's client in the registry. */
    private void startSinkRoute(EmbeddedKubernetes kubernetes) throws Exception {
        context.getRegistry().bind("kubernetesClient", kubernetes.client());
        startSinkRoute("kamelet:kubernetes-job-sink?namespace=ci");
    }

    private void startSinkRoute(String sink) throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:create").to(sink);
            }
        });
        context.start();
    }

    /** A Job of one alpine container, with the given metadata. */
    private static Job jobWith(ObjectMeta metadata) {
        return new JobBuilder()
                .withMetadata(metadata)
                .withNewSpec()
                .withNewTemplate()
                .withNewSpec()
                .addNewContainer()
                .withName("agent")
                .withImage("alpine")
                .endContainer()
                .withRestartPolicy("Never")
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    @Test
    void theSinkCreatesTheJobAndTreatsAnExistingOneAsAlreadyScheduled() throws Exception {
        try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes()) {
            startSinkRoute(kubernetes);
            Job job = jobWith(new ObjectMetaBuilder()
                    .withName("buildkite-1234")
                    .addToLabels("team", "infra")
                    .build());

            Exchange first = context.createProducerTemplate()
                    .request("direct:create", e -> e.getMessage().setBody(job));
            assertThat(first.getException()).isNull();
            assertThat(first.getMessage().getHeader("AgentStackJobAlreadyExists", Boolean.class))
                    .isFalse();
            Job created = kubernetes
                    .client()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace("ci")
                    .withName("buildkite-1234")
                    .get();
            assertThat(created.getMetadata().getLabels()).containsEntry("team", "infra");
            assertThat(created.getSpec().getTemplate().getSpec().getContainers())
                    .extracting(c -> c.getImage())
                    .containsExactly("alpine");

            Exchange second = context.createProducerTemplate()
                    .request("direct:create", e -> e.getMessage().setBody(job));
            assertThat(second.getException()).as("409 counts as success").isNull();
            assertThat(second.getMessage().getHeader("AgentStackJobAlreadyExists", Boolean.class))
                    .isTrue();
            assertThat(second.getMessage().getHeader("CamelKubernetesJobName")).isEqualTo("buildkite-1234");
        }
    }

    @Test
    void theSinkUsesTheClientBeanItIsGivenByName() throws Exception {
        try (EmbeddedKubernetes ours = new EmbeddedKubernetes();
                EmbeddedKubernetes other = new EmbeddedKubernetes()) {
            context.getRegistry().bind("otherCluster", other.client());
            context.getRegistry().bind("ourCluster", ours.client());
            startSinkRoute("kamelet:kubernetes-job-sink?namespace=ci&kubernetesClient=ourCluster");

            Exchange sent = context.createProducerTemplate()
                    .request(
                            "direct:create",
                            e -> e.getMessage()
                                    .setBody(jobWith(new ObjectMetaBuilder()
                                            .withName("buildkite-9abc")
                                            .build())));

            assertThat(sent.getException()).isNull();
            assertThat(ours.client()
                            .batch()
                            .v1()
                            .jobs()
                            .inNamespace("ci")
                            .withName("buildkite-9abc")
                            .get())
                    .isNotNull();
            assertThat(other.client()
                            .batch()
                            .v1()
                            .jobs()
                            .inNamespace("ci")
                            .list()
                            .getItems())
                    .isEmpty();
        }
    }

    @Test
    void theSinkCreatesTheJobAsItIsWithTheMetadataAUserRouteAdded() throws Exception {
        try (EmbeddedKubernetes kubernetes = new EmbeddedKubernetes()) {
            startSinkRoute(kubernetes);
            // camel-kubernetes' createJob rebuilt the Job from name, labels and annotations, dropping the rest.
            Job job = jobWith(new ObjectMetaBuilder()
                    .withName("buildkite-5678")
                    .addToLabels("team", "infra")
                    .addNewOwnerReference()
                    .withApiVersion("v1")
                    .withKind("ConfigMap")
                    .withName("owner")
                    .withUid("0b1c7e52-0000-4000-8000-000000000001")
                    .endOwnerReference()
                    .addToFinalizers("example.com/keep")
                    .build());

            Exchange sent = context.createProducerTemplate()
                    .request("direct:create", e -> e.getMessage().setBody(job));

            assertThat(sent.getException()).isNull();
            Job created = kubernetes
                    .client()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace("ci")
                    .withName("buildkite-5678")
                    .get();
            assertThat(created.getMetadata().getOwnerReferences())
                    .extracting(o -> o.getName())
                    .containsExactly("owner");
            assertThat(created.getMetadata().getFinalizers()).containsExactly("example.com/keep");
            assertThat(sent.getMessage().getBody(Job.class).getMetadata().getUid())
                    .as("the body is the Job the API server stored")
                    .isEqualTo(created.getMetadata().getUid());
            assertThat(sent.getMessage()
                            .getBody(Job.class)
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers())
                    .as("with the spec that was sent")
                    .extracting(c -> c.getImage())
                    .containsExactly("alpine");
        }
    }

    @Test
    void theActionFailsTheJobThroughTheAgentApi() throws Exception {
        String uuid = buildkite.scheduleCommand("make", "queue=kubernetes");
        context.getRegistry()
                .bind(
                        "jobFailer",
                        new JobFailer(
                                new AgentApi(
                                        buildkite.agentEndpoint(),
                                        Duration.ofSeconds(5),
                                        "agent-stack-camel/test",
                                        new dev.agentstack.buildkite.ResponseSizeLimit(1 << 20)),
                                () -> AGENT_TOKEN,
                                Clock.systemUTC(),
                                new SimpleMeterRegistry(),
                                JobFailer.RETRY_INTERVAL));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:fail").to("kamelet:buildkite-fail-job-action");
            }
        });
        context.start();

        Object outcome = context.createProducerTemplate()
                .requestBody(
                        "direct:fail",
                        new FailureReport(
                                uuid,
                                "buildkite-" + uuid,
                                List.of("queue=kubernetes"),
                                "image_pull_failed",
                                "image \"nope\" cannot be pulled",
                                1,
                                false));
        assertThat(outcome).isEqualTo(JobFailer.Outcome.FAILED);
        assertThat(buildkite.snapshot(uuid).signalReason()).isEqualTo("stack_error");
        assertThat(buildkite.snapshot(uuid).log()).contains("image \"nope\" cannot be pulled");
    }
}

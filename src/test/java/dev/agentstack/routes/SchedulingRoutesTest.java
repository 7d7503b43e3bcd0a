package dev.agentstack.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.kubernetes.KubernetesJobSink;
import dev.agentstack.podspec.JobCannotRunException;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.scheduling.CreateRefusal;
import dev.agentstack.scheduling.JobCreations;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.kubernetes.KubernetesConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * routes/schedule-jobs.camel.yaml on its own, for one queue: its two route templates (the poll's steps, and the
 * creation workers) and the shared kubernetes-create-job route. Jobs are sent where the
 * buildkite-scheduled-jobs-source Kamelet would deliver them, or straight to the workers; the kubernetes-job-sink
 * Kamelet is replaced by a mock Kubernetes API, the queues the routes hand jobs to by mocks, and the queue's beans by
 * recorders.
 */
class SchedulingRoutesTest extends RouteUnitTest {

    private static final String QUEUE = "kubernetes";
    // Commands that make the stand-ins answer: the job is already scheduled (no slot), the builder refuses it, the
    // mock API server already has its Job or refuses it, or its data is stale.
    private static final String RUNNING = "running";
    private static final String CANNOT_RUN = "prohibited";
    private static final String EXISTS = "exists";
    private static final String REFUSED = "refused";
    private static final String STALE = "stale";

    private final JobCreationsRecorder creations = new JobCreationsRecorder();
    private final JobBuilderStub builder = new JobBuilderStub();
    private MockEndpoint workers;
    private MockEndpoint kubernetes;
    private MockEndpoint failInvalidJobs;

    @Override
    protected List<String> routeFiles() {
        return List.of("schedule-jobs");
    }

    /** Stands in for jobCreations-<queue>: records which of its steps the route took for which job. */
    public static final class JobCreationsRecorder {
        final List<String> calls = new CopyOnWriteArrayList<>();

        public boolean reserve(BuildkiteJob job) {
            calls.add("reserve " + job.command());
            return !job.command().equals(RUNNING);
        }

        public boolean dropIfStale(BuildkiteJob job) {
            return job.command().equals(STALE);
        }

        public void created(@ExchangeProperty(JobCreations.BUILDKITE_JOB) BuildkiteJob job) {
            calls.add("created " + job.command());
        }

        public void alreadyExists(@ExchangeProperty(JobCreations.BUILDKITE_JOB) BuildkiteJob job) {
            calls.add("alreadyExists " + job.command());
        }

        public void invalid(BuildkiteJob job) {
            calls.add("invalid " + job.command());
        }

        public String invalidJobReport(BuildkiteJob job, String reason) {
            return job.uuid() + ": " + reason;
        }

        public CreateRefusal failed(BuildkiteJob job, Throwable error) {
            calls.add("failed " + job.command());
            return CreateRefusal.classify(error);
        }
    }

    /** Stands in for jobSelection-<queue>: the jobs tagged with this queue. */
    public static final class QueueTagOnly {
        public boolean isOurs(BuildkiteJob job) {
            return job.agentQueryRules().contains("queue=" + QUEUE);
        }
    }

    /** Stands in for podSpecBuilder-<queue>: a bare Job, or the builder's refusal. */
    public static final class JobBuilderStub {
        final List<String> built = new CopyOnWriteArrayList<>();

        public Job jobFor(BuildkiteJob job) {
            built.add(job.command());
            if (job.command().equals(CANNOT_RUN)) {
                throw new JobCannotRunException("the kubernetes plugin is prohibited on this queue");
            }
            return new JobBuilder()
                    .withNewMetadata()
                    .withName(PodSpecBuilder.jobName(job.uuid()))
                    .endMetadata()
                    .build();
        }
    }

    /** Stands in for kubernetesWriteLimiter: writes as fast as the test sends them. */
    public static final class NoWriteLimit {
        public void acquire() {
            // nothing to wait for
        }
    }

    /** What the kubernetes-job-sink Kamelet does with the API server's answer: 201, 409 or a refusal. */
    private static void apiServer(Exchange exchange) {
        Job job = exchange.getMessage().getBody(Job.class);
        exchange.getMessage()
                .setHeader(
                        KubernetesConstants.KUBERNETES_JOB_NAME,
                        job.getMetadata().getName());
        if (job.getMetadata().getName().equals(PodSpecBuilder.jobName(uuidOf(REFUSED)))) {
            throw new KubernetesClientException(new StatusBuilder()
                    .withCode(422)
                    .withMessage("Job.batch \"" + job.getMetadata().getName() + "\" is invalid")
                    .build());
        }
        boolean exists = job.getMetadata().getName().equals(PodSpecBuilder.jobName(uuidOf(EXISTS)));
        exchange.getMessage().setHeader(KubernetesJobSink.ALREADY_EXISTS, exists);
    }

    private static String uuidOf(String command) {
        return switch (command) {
            case CANNOT_RUN -> "01990000-0000-4000-8000-00000000000a";
            case EXISTS -> "01990000-0000-4000-8000-00000000000b";
            case REFUSED -> "01990000-0000-4000-8000-00000000000c";
            case STALE -> "01990000-0000-4000-8000-00000000000d";
            case RUNNING -> "01990000-0000-4000-8000-00000000000f";
            default -> "01990000-0000-4000-8000-00000000000e";
        };
    }

    private static BuildkiteJob job(String command, String... tags) {
        List<String> rules = tags.length == 0 ? List.of("queue=" + QUEUE) : List.of(tags);
        return new BuildkiteJob("J-" + command, uuidOf(command), command, rules, 0, null, null);
    }

    @BeforeEach
    void startTheQueuesRoutes() throws Exception {
        bind("jobSelection-" + QUEUE, new QueueTagOnly());
        bind("jobCreations-" + QUEUE, creations);
        bind("podSpecBuilder-" + QUEUE, builder);
        bind("kubernetesWriteLimiter", new NoWriteLimit());
        String poll = TemplatedRouteBuilder.builder(context, "schedule-jobs")
                .routeId("schedule-jobs-" + QUEUE)
                .parameter("queue", QUEUE)
                .add();
        advise(poll, route -> {
            route.replaceFromWith("direct:scheduled-jobs");
            route.mockEndpointsAndSkip("seda:create-jobs-*");
        });
        String creationWorkers = TemplatedRouteBuilder.builder(context, "create-jobs")
                .routeId("create-jobs-" + QUEUE)
                .parameter("queue", QUEUE)
                .add();
        advise(creationWorkers, route -> {
            route.replaceFromWith("direct:create-jobs");
            // Both hand-overs sit in doCatch clauses, which weaveById does not reach: mock the queue they send to.
            route.mockEndpointsAndSkip("seda:fail-invalid-jobs-*");
        });
        advise(
                "kubernetes-create-job",
                route -> route.weaveById("create-job").replace().to("mock:kubernetes-api"));
        startRoutes();
        workers = getMockEndpoint("mock:seda:create-jobs-" + QUEUE);
        kubernetes = getMockEndpoint("mock:kubernetes-api");
        kubernetes.whenAnyExchangeReceived(SchedulingRoutesTest::apiServer);
        failInvalidJobs = getMockEndpoint("mock:seda:fail-invalid-jobs-" + QUEUE);
    }

    @Test
    void aJobThisQueueServesIsReservedAndHandedToTheCreationWorkers() throws Exception {
        workers.expectedBodiesReceived(job("make test"));

        template.sendBody("direct:scheduled-jobs", job("make test"));

        workers.assertIsSatisfied();
        assertThat(creations.calls).containsExactly("reserve make test");
    }

    @Test
    void aJobForAnotherQueueIsNeitherReservedNorHandedOn() {
        template.sendBody("direct:scheduled-jobs", job("make test", "queue=other"));

        assertThat(workers.getReceivedCounter()).isZero();
        assertThat(creations.calls).isEmpty();
    }

    @Test
    void aJobAlreadyScheduledOrBeyondMaxInFlightIsLeftForALaterPoll() {
        template.sendBody("direct:scheduled-jobs", job(RUNNING));

        assertThat(workers.getReceivedCounter()).isZero();
        assertThat(creations.calls).containsExactly("reserve " + RUNNING);
    }

    @Test
    void aJobIsBuiltCreatedAndCountedOnce() throws Exception {
        kubernetes.expectedMessageCount(1);
        failInvalidJobs.expectedMessageCount(0);

        template.sendBody("direct:create-jobs", job("make test"));

        MockEndpoint.assertIsSatisfied(kubernetes, failInvalidJobs);
        assertThat(kubernetes
                        .getExchanges()
                        .get(0)
                        .getMessage()
                        .getBody(Job.class)
                        .getMetadata()
                        .getName())
                .isEqualTo(PodSpecBuilder.jobName(uuidOf("make test")));
        assertThat(creations.calls).containsExactly("created make test");
    }

    @Test
    void aJobThatCannotRunIsHandedToTheFailWorkerAndNeverReachesKubernetes() throws Exception {
        kubernetes.expectedMessageCount(0);
        failInvalidJobs.expectedBodiesReceived(
                uuidOf(CANNOT_RUN) + ": the kubernetes plugin is prohibited on this queue");

        template.sendBody("direct:create-jobs", job(CANNOT_RUN));

        MockEndpoint.assertIsSatisfied(kubernetes, failInvalidJobs);
        assertThat(creations.calls).containsExactly("invalid " + CANNOT_RUN);
    }

    @Test
    void aJobWhoseKubernetesJobAlreadyExistsIsNotCountedAsCreated() throws Exception {
        kubernetes.expectedMessageCount(1);
        failInvalidJobs.expectedMessageCount(0);

        template.sendBody("direct:create-jobs", job(EXISTS));

        MockEndpoint.assertIsSatisfied(kubernetes, failInvalidJobs);
        assertThat(creations.calls).containsExactly("alreadyExists " + EXISTS);
    }

    @Test
    void aJobTheApiServerRefusesIsFailedOnceWithTheApiServersMessage() throws Exception {
        String name = PodSpecBuilder.jobName(uuidOf(REFUSED));
        failInvalidJobs.expectedBodiesReceived(uuidOf(REFUSED) + ": Job.batch \"" + name + "\" is invalid");

        template.sendBody("direct:create-jobs", job(REFUSED));

        failInvalidJobs.assertIsSatisfied();
        assertThat(creations.calls).containsExactly("failed " + REFUSED);
    }

    @Test
    void staleJobDataIsDroppedBeforeTheJobIsBuilt() throws Exception {
        kubernetes.expectedMessageCount(0);
        failInvalidJobs.expectedMessageCount(0);

        template.sendBody("direct:create-jobs", job(STALE));

        MockEndpoint.assertIsSatisfied(kubernetes, failInvalidJobs);
        assertThat(builder.built).isEmpty();
        assertThat(creations.calls).isEmpty();
    }
}

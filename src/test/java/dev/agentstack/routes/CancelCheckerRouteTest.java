package dev.agentstack.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.buildkite.GraphqlBudget;
import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.logging.OutageLog;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.tracking.CancelCandidates;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.util.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * routes/cancel-checker.camel.yaml on its own: its timer replaced by a direct endpoint the test calls, Buildkite's
 * GraphQL API by a mock that answers the batched job-states query, and the Kubernetes edges by recorders.
 */
class CancelCheckerRouteTest extends RouteUnitTest {

    private static final String SCHEDULED = "01990000-0000-4000-8000-000000000001";
    private static final String CANCELLED = "01990000-0000-4000-8000-000000000002";
    private static final String CANCELING = "01990000-0000-4000-8000-000000000003";

    private final CancelCandidates candidates = new CancelCandidates(new SimpleMeterRegistry(), Duration.ofSeconds(5));
    private final OutageLog outage = new OutageLog(LoggerFactory.getLogger(getClass()), Clock.systemUTC(), "back");
    private final KubernetesJobsRecorder kubernetesJobs = new KubernetesJobsRecorder();
    private final FindingsRecorder findings = new FindingsRecorder();

    @Override
    protected List<String> routeFiles() {
        return List.of("cancel-checker");
    }

    /** Stands in for kubernetesJobs: remembers which Jobs the route deleted. */
    public static final class KubernetesJobsRecorder {
        final List<String> deleted = new CopyOnWriteArrayList<>();

        public void deleteNow(String jobName) {
            deleted.add(jobName);
        }
    }

    /** Stands in for findings: remembers which jobs the pod watch must no longer report. */
    public static final class FindingsRecorder {
        final List<String> remembered = new CopyOnWriteArrayList<>();

        public void remember(String uuid) {
            remembered.add(uuid);
        }
    }

    /**
     * Buildkite's answer to the batched query: each alias jN gets the state of the uuid in variable uN. The variables
     * are read where the graphql endpoint would read them (its variablesHeader).
     */
    private static void answerWithStates(Exchange exchange, Map<String, String> states) {
        JsonObject variables = exchange.getMessage().getHeader("graphqlVariables", JsonObject.class);
        JsonObject data = new JsonObject();
        variables.forEach((name, uuid) -> data.put(
                "j" + name.substring(1),
                new JsonObject(Map.of("id", "J-" + uuid, "uuid", uuid, "state", states.get(uuid)))));
        exchange.getMessage().setBody(new JsonObject(Map.of("data", data)).toJson());
    }

    private static Job unfinishedJobWithoutPod(String uuid) {
        return new JobBuilder()
                .withNewMetadata()
                .withName(PodSpecBuilder.jobName(uuid))
                .addToLabels(JobLabels.JOB_UUID, uuid)
                .endMetadata()
                .build();
    }

    private MockEndpoint startWithBuildkite() throws Exception {
        for (String uuid : List.of(SCHEDULED, CANCELLED, CANCELING)) {
            candidates.onJobEvent("ADDED", unfinishedJobWithoutPod(uuid));
        }
        bind("cancelCandidates", candidates);
        bind("graphqlBudget", new GraphqlBudget(0.5, Clock.systemUTC(), new SimpleMeterRegistry()));
        bind("cancelCheckOutage", outage);
        bind("kubernetesJobs", kubernetesJobs);
        bind("findings", findings);
        advise("cancel-checker", route -> {
            route.replaceFromWith("direct:check-now");
            route.weaveById("job-states-query").replace().to("mock:buildkite-graphql");
        });
        startRoutes();
        return getMockEndpoint("mock:buildkite-graphql");
    }

    @Test
    void aJobCancelledInBuildkiteLosesItsKubernetesJobAndOneStillScheduledKeepsIt() throws Exception {
        MockEndpoint buildkite = startWithBuildkite();
        buildkite.whenAnyExchangeReceived(exchange -> answerWithStates(
                exchange, Map.of(SCHEDULED, "SCHEDULED", CANCELLED, "CANCELED", CANCELING, "CANCELING")));
        buildkite.expectedMessageCount(1);

        template.sendBody("direct:check-now", null);

        buildkite.assertIsSatisfied();
        assertThat(kubernetesJobs.deleted)
                .as("one request asked about all three; the cancelled ones were deleted")
                .containsExactlyInAnyOrder(PodSpecBuilder.jobName(CANCELLED), PodSpecBuilder.jobName(CANCELING));
        assertThat(findings.remembered).containsExactlyInAnyOrder(CANCELLED, CANCELING);
        assertThat(candidates.jobName(SCHEDULED))
                .as("asked about again next check")
                .isNotNull();
        assertThat(candidates.jobName(CANCELLED)).isNull();
        assertThat(outage.isDown()).isFalse();
    }

    @Test
    void aFailedCheckDeletesNothingAndAsksAboutTheSameJobsNextCheck() throws Exception {
        MockEndpoint buildkite = startWithBuildkite();
        buildkite.whenAnyExchangeReceived(exchange -> exchange.getMessage().setBody("<html>502 Bad Gateway</html>"));

        template.sendBody("direct:check-now", null);

        assertThat(kubernetesJobs.deleted).isEmpty();
        assertThat(findings.remembered).isEmpty();
        assertThat(outage.isDown())
                .as("the failure is logged as an outage of the checks")
                .isTrue();
        assertThat(candidates.batches()).containsExactly(List.of(SCHEDULED, CANCELLED, CANCELING));
    }
}

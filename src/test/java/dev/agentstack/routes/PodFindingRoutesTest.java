package dev.agentstack.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.buildkite.JobStatesQuery.JobState;
import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.tracking.CancelCandidates;
import dev.agentstack.tracking.Finding;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.kubernetes.KubernetesConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * routes/watch-pods.camel.yaml on its own: pod events are sent where the pod watch would deliver them, the
 * buildkite-actions routes (a job's state, failing a job) are mocks, and findings, the job failer and the Kubernetes
 * Jobs are stand-ins that record, in one list, what the routes asked of them in which order.
 */
class PodFindingRoutesTest extends RouteUnitTest {

    private static final String UUID = "01990000-0000-4000-8000-0000000000f1";
    private static final String JOB_NAME = PodSpecBuilder.jobName(UUID);

    private final List<String> steps = new CopyOnWriteArrayList<>();
    private final FindingsStandIn findings = new FindingsStandIn(steps);
    private MockEndpoint jobState;
    private MockEndpoint failJob;

    @Override
    protected List<String> routeFiles() {
        return List.of("watch-pods");
    }

    /** Stands in for findings: what a pod shows is set by the test; records what the routes do with it. */
    public static final class FindingsStandIn {
        final Map<String, Finding> byPod = new ConcurrentHashMap<>();
        volatile boolean reportedElsewhere;
        private final List<String> steps;

        FindingsStandIn(List<String> steps) {
            this.steps = steps;
        }

        public Finding ofPod(Pod pod) {
            return byPod.get(pod.getMetadata().getName());
        }

        public boolean enqueue(Finding f) {
            return f != null;
        }

        public void inProgress(Finding f, Exchange exchange) {
            // the real one lets the job be queued again once this exchange is done
        }

        public boolean noLongerActionable(Finding f) {
            return reportedElsewhere;
        }

        public String report(Finding f) {
            return "report of " + f.uuid() + ": " + f.headline();
        }

        public void acted(Finding f) {
            steps.add("mark reported " + f.jobName());
        }

        public void remember(String uuid) {
            steps.add("remember " + uuid);
        }
    }

    /** Stands in for jobFailer: never backing off after an earlier failure. */
    public static final class NoBackoff {
        public boolean backingOff(String uuid) {
            return false;
        }
    }

    /** Stands in for kubernetesJobs and completionWatcher. */
    public static final class KubernetesStandIn {
        private final List<String> steps;

        KubernetesStandIn(List<String> steps) {
            this.steps = steps;
        }

        public void deleteNow(String jobName) {
            steps.add("delete " + jobName);
        }

        public void onPodEvent(Pod pod) {
            // no plain container outlives its agent in these tests
        }
    }

    private static Finding finding(String reason, boolean deleteJob, boolean onlyIfScheduled) {
        return new Finding(
                reason,
                UUID,
                JOB_NAME,
                List.of("queue=kubernetes"),
                JOB_NAME + "-abcde",
                "The following images could not be pulled:",
                List.of(),
                List.of(),
                Finding.EventsOf.NONE,
                1,
                deleteJob,
                false,
                onlyIfScheduled);
    }

    private static Pod pod(String name) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels(JobLabels.JOB_UUID, UUID)
                .endMetadata()
                .build();
    }

    @BeforeEach
    void startTheRoutes() throws Exception {
        KubernetesStandIn kubernetes = new KubernetesStandIn(steps);
        bind("findings", findings);
        bind("jobFailureBackoff", new NoBackoff());
        bind("kubernetesJobs", kubernetes);
        bind("completionWatcher", kubernetes);
        bind("cancelCandidates", new CancelCandidates(new SimpleMeterRegistry(), Duration.ofSeconds(5)));
        advise("watch-pods", route -> route.replaceFromWith("direct:pod-events"));
        advise(
                "act-on-finding",
                route -> route.mockEndpointsAndSkip("direct:buildkite-job-state", "direct:fail-buildkite-job"));
        startRoutes();
        jobState = getMockEndpoint("mock:direct:buildkite-job-state");
        failJob = getMockEndpoint("mock:direct:fail-buildkite-job");
        failJob.whenAnyExchangeReceived(exchange -> steps.add("fail in Buildkite"));
    }

    /** Sends one pod event as the watch would and waits until act-on-finding's worker is done with it. */
    private void podEvent(String podName) {
        NotifyBuilder acted = new NotifyBuilder(context)
                .fromRoute("act-on-finding")
                .whenDone(1)
                .create();
        template.sendBodyAndHeader(
                "direct:pod-events", pod(podName), KubernetesConstants.KUBERNETES_EVENT_ACTION, "MODIFIED");
        assertThat(acted.matches(10, TimeUnit.SECONDS))
                .as("act-on-finding took the finding")
                .isTrue();
    }

    @Test
    void aPodThatCanNeverRunHasItsJobFailedMarkedReportedAndDeletedInThatOrder() {
        findings.byPod.put("image-pull", finding("image_pull", true, false));

        podEvent("image-pull");

        assertThat(steps).containsExactly("fail in Buildkite", "mark reported " + JOB_NAME, "delete " + JOB_NAME);
        assertThat(failJob.getExchanges().get(0).getMessage().getBody(String.class))
                .isEqualTo("report of " + UUID + ": The following images could not be pulled:");
        assertThat(jobState.getReceivedCounter())
                .as("the job's state is not needed to fail it")
                .isZero();
    }

    @Test
    void aPodThatDiedAfterAnAgentTookItsJobIsNotReported() {
        findings.byPod.put("died", finding("pod_died", false, true));
        jobState.whenAnyExchangeReceived(
                exchange -> exchange.getMessage().setBody(new JobState(UUID, "J-1", "RUNNING")));

        podEvent("died");

        assertThat(jobState.getReceivedCounter()).isEqualTo(1);
        assertThat(steps).as("remembered, so later events about it are ignored").containsExactly("remember " + UUID);
    }

    @Test
    void aPodThatDiedBeforeAnyAgentTookItsJobIsReportedWithoutDeletingItsJob() {
        findings.byPod.put("died", finding("pod_died", false, true));
        jobState.whenAnyExchangeReceived(
                exchange -> exchange.getMessage().setBody(new JobState(UUID, "J-1", "SCHEDULED")));

        podEvent("died");

        assertThat(steps).containsExactly("fail in Buildkite", "mark reported " + JOB_NAME);
    }

    @Test
    void aFindingAnotherReplicaAlreadyReportedIsLeftAlone() {
        findings.byPod.put("image-pull", finding("image_pull", true, false));
        findings.reportedElsewhere = true;

        podEvent("image-pull");

        assertThat(steps).isEmpty();
    }
}

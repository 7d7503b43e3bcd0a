package dev.agentstack.tracking;

import static dev.agentstack.tracking.PodFailureClassifierTest.CLASSIFIER;
import static dev.agentstack.tracking.PodFailureClassifierTest.T0;
import static dev.agentstack.tracking.PodFailureClassifierTest.pod;
import static dev.agentstack.tracking.PodFailureClassifierTest.running;
import static dev.agentstack.tracking.PodFailureClassifierTest.terminated;
import static dev.agentstack.tracking.PodFailureClassifierTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Status in, timeline notes out: what the Stacks API's notifications say about a pod while its job goes on. */
class PodNoticesTest {

    private static ContainerStatus ranAndEnded(String name, int code, String reason) {
        return new ContainerStatusBuilder(terminated(name, code, reason))
                .editState()
                .editTerminated()
                .withStartedAt(T0.toString())
                .endTerminated()
                .endState()
                .build();
    }

    private static List<PodNotice> at(Pod pod, int seconds) {
        return CLASSIFIER.notices(pod, T0.plusSeconds(seconds));
    }

    @Test
    void aContainerOomKilledWhileTheAgentRanNamesTheContainerAndItsMemoryLimit() {
        Pod pod = pod("Running", List.of(), List.of(terminated("container-0", 137, "OOMKilled"), running("agent")));
        assertThat(at(pod, 60))
                .containsExactly(new PodNotice(
                        "u1",
                        "buildkite-u1-abcde/oom/container-0",
                        "Container \"container-0\" was OOMKilled (memory limit 512Mi)"));
    }

    @Test
    void anOomKilledContainerWithoutALimitSaysTheNodeRanOutOfMemory() {
        Pod pod = pod(
                "Failed",
                List.of(),
                List.of(ranAndEnded("agent", 1, "Error"), ranAndEnded("checkout", 137, "OOMKilled")));
        assertThat(at(pod, 60))
                .extracting(PodNotice::detail)
                .containsExactly(
                        "Container \"checkout\" was OOMKilled (no memory limit set: the node ran out of memory)");
    }

    @Test
    void anEvictionWhileTheJobRanIsToldWithItsMessage() {
        Pod pod = new PodBuilder(pod("Failed", List.of(), List.of(ranAndEnded("agent", 137, "Error"))))
                .editStatus()
                .withReason("Evicted")
                .withMessage("The node was low on resource: memory.")
                .endStatus()
                .build();
        assertThat(at(pod, 60))
                .containsExactly(new PodNotice(
                        "u1", "buildkite-u1-abcde/evicted", "Pod evicted: The node was low on resource: memory."));
    }

    @Test
    void beforeTheAgentStartedAnOomOrEvictionIsAFindingNotANote() {
        Pod oom = pod(
                "Failed",
                List.of(),
                List.of(terminated("container-0", 137, "OOMKilled"), waiting("agent", "PodInitializing")));
        Pod evicted = new PodBuilder(pod("Failed", List.of(), List.of(waiting("agent", "PodInitializing"))))
                .editStatus()
                .withReason("Evicted")
                .endStatus()
                .build();
        assertThat(at(oom, 60)).isEmpty();
        assertThat(at(evicted, 60)).isEmpty();
    }

    @Test
    void anImageThatCannotBePulledWhileTheAgentRunsIsToldAfterTheGracePeriod() {
        Pod pod = pod("Running", List.of(), List.of(waiting("container-0", "ImagePullBackOff"), running("agent")));
        assertThat(at(pod, 10)).isEmpty();
        assertThat(at(pod, 31))
                .containsExactly(new PodNotice(
                        "u1",
                        "buildkite-u1-abcde/image_pull",
                        "Image pull failure; the job will fail once the agent times out. container-0: ImagePullBackOff"
                                + " (ImagePullBackOff message)"));
    }

    @Test
    void aPodPendingForHalfItsTimeoutIsToldWhy() {
        Pod pod = new PodBuilder(pod("Pending", List.of(), List.of(waiting("agent", "PodInitializing"))))
                .editStatus()
                .withConditions(new PodConditionBuilder()
                        .withType("PodScheduled")
                        .withStatus("False")
                        .withReason("Unschedulable")
                        .withMessage("0/3 nodes are available.")
                        .build())
                .endStatus()
                .build();
        assertThat(at(pod, 7 * 60)).isEmpty();
        assertThat(at(pod, 8 * 60))
                .containsExactly(new PodNotice(
                        "u1",
                        "buildkite-u1-abcde/pending",
                        "Pod buildkite-u1-abcde has been Pending for 8m; the job fails if it has not started within 15m."
                                + " Unschedulable: 0/3 nodes are available."));
    }

    @Test
    void aPodRunningNormallyHasNothingToTell() {
        assertThat(at(pod("Running", List.of(), List.of(running("container-0"), running("agent"))), 3600))
                .isEmpty();
    }
}

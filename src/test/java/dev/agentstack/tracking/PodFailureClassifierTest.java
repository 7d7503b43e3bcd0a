package dev.agentstack.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Status in, finding out: every rule of the classifier, with the times that matter. */
class PodFailureClassifierTest {

    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    static final PodFailureClassifier CLASSIFIER =
            new PodFailureClassifier(Duration.ofSeconds(30), Duration.ofMinutes(15), Duration.ofSeconds(30));

    static ContainerStatus waiting(String name, String reason) {
        return new ContainerStatusBuilder()
                .withName(name)
                .withImage("img")
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .withMessage(reason + " message")
                .endWaiting()
                .endState()
                .build();
    }

    static ContainerStatus terminated(String name, int code, String reason) {
        return new ContainerStatusBuilder()
                .withName(name)
                .withImage("img")
                .withNewState()
                .withNewTerminated()
                .withExitCode(code)
                .withReason(reason)
                .endTerminated()
                .endState()
                .build();
    }

    static ContainerStatus running(String name) {
        return new ContainerStatusBuilder()
                .withName(name)
                .withImage("img")
                .withNewState()
                .withNewRunning()
                .endRunning()
                .endState()
                .build();
    }

    /** A pod of our layout: copy-agent, a sidecar (native), container-0, agent, checkout. */
    static Pod pod(String phase, List<ContainerStatus> init, List<ContainerStatus> main) {
        return new PodBuilder()
                .withNewMetadata()
                .withName("buildkite-u1-abcde")
                .withCreationTimestamp(T0.toString())
                .withLabels(Map.of(
                        "buildkite.com/job-uuid",
                        "u1",
                        "batch.kubernetes.io/job-name",
                        "buildkite-u1",
                        "tag.buildkite.com/queue",
                        "kubernetes"))
                .endMetadata()
                .withNewSpec()
                .addToInitContainers(
                        new ContainerBuilder()
                                .withName("copy-agent")
                                .withImage("agent:1")
                                .build(),
                        new ContainerBuilder()
                                .withName("sidecar-0")
                                .withImage("nginx")
                                .withRestartPolicy("Always")
                                .build())
                .addToContainers(
                        new ContainerBuilder()
                                .withName("container-0")
                                .withImage("registry/app:1")
                                .withNewResources()
                                .withLimits(Map.of("memory", new Quantity("512Mi")))
                                .endResources()
                                .build(),
                        new ContainerBuilder()
                                .withName("agent")
                                .withImage("agent:1")
                                .build(),
                        new ContainerBuilder()
                                .withName("checkout")
                                .withImage("agent:1")
                                .build())
                .endSpec()
                .withNewStatus()
                .withPhase(phase)
                .withStartTime(T0.toString())
                .withInitContainerStatuses(init)
                .withContainerStatuses(main)
                .endStatus()
                .build();
    }

    static Stream<Arguments> pods() {
        ContainerStatus agentWaiting = waiting("agent", "PodInitializing");
        return Stream.of(
                Arguments.of("a pod starting normally", pod("Pending", List.of(), List.of(agentWaiting)), 5, null),
                Arguments.of(
                        "ImagePullBackOff inside the grace period",
                        pod("Pending", List.of(), List.of(waiting("container-0", "ImagePullBackOff"), agentWaiting)),
                        10,
                        null),
                Arguments.of(
                        "ImagePullBackOff after the grace period",
                        pod("Pending", List.of(), List.of(waiting("container-0", "ImagePullBackOff"), agentWaiting)),
                        31,
                        "image_pull"),
                Arguments.of(
                        "ErrImagePull after the grace period",
                        pod("Pending", List.of(), List.of(waiting("container-0", "ErrImagePull"))),
                        31,
                        "image_pull"),
                Arguments.of(
                        "ErrImageNeverPull after the grace period",
                        pod("Pending", List.of(), List.of(waiting("container-0", "ErrImageNeverPull"))),
                        31,
                        "image_pull"),
                Arguments.of(
                        "InvalidImageName at once",
                        pod("Pending", List.of(), List.of(waiting("container-0", "InvalidImageName"))),
                        1,
                        "image_pull"),
                Arguments.of(
                        "a missing Secret (CreateContainerConfigError)",
                        pod("Pending", List.of(), List.of(waiting("container-0", "CreateContainerConfigError"))),
                        31,
                        "image_pull"),
                Arguments.of(
                        "an image check that cannot pull",
                        pod("Pending", List.of(waiting("copy-agent", "ImagePullBackOff")), List.of()),
                        31,
                        "image_pull"),
                Arguments.of(
                        "a sidecar that cannot pull and blocks the job",
                        pod(
                                "Pending",
                                List.of(
                                        terminated("copy-agent", 0, "Completed"),
                                        waiting("sidecar-0", "ImagePullBackOff")),
                                List.of(agentWaiting)),
                        31,
                        "image_pull"),
                Arguments.of(
                        "a sidecar failing after the job's containers started",
                        pod(
                                "Running",
                                List.of(
                                        terminated("copy-agent", 0, "Completed"),
                                        waiting("sidecar-0", "ImagePullBackOff")),
                                List.of(running("agent"), running("container-0"))),
                        31,
                        null),
                Arguments.of(
                        "a failed init container",
                        pod("Failed", List.of(terminated("copy-agent", 1, "Error")), List.of()),
                        2,
                        "init_container"),
                Arguments.of(
                        "a sidecar exiting non-zero is not an init failure",
                        pod("Running", List.of(terminated("sidecar-0", 2, "Error")), List.of(running("agent"))),
                        2,
                        null),
                Arguments.of(
                        "Pending past pod-pending-timeout",
                        pod("Pending", List.of(), List.of(agentWaiting)),
                        15 * 60,
                        "pending_timeout"),
                Arguments.of(
                        "OOM-killed before the agent ran",
                        pod("Failed", List.of(), List.of(terminated("container-0", 137, "OOMKilled"), agentWaiting)),
                        60,
                        "pod_died"),
                Arguments.of(
                        "the agent finished: Buildkite has the result",
                        pod(
                                "Failed",
                                List.of(),
                                List.of(terminated("container-0", 1, "Error"), terminated("agent", 0, "Completed"))),
                        60,
                        null),
                Arguments.of(
                        "a pod that succeeded",
                        pod("Succeeded", List.of(), List.of(terminated("agent", 0, "Completed"))),
                        60,
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pods")
    void classifiesPods(String name, Pod pod, int secondsLater, String reason) {
        Optional<Finding> f = CLASSIFIER.classify(pod, T0.plusSeconds(secondsLater));
        assertThat(f.map(Finding::reason).orElse(null)).isEqualTo(reason);
        f.ifPresent(x -> {
            assertThat(x.uuid()).isEqualTo("u1");
            assertThat(x.jobName()).isEqualTo("buildkite-u1");
            assertThat(x.tags()).containsExactly("queue=kubernetes");
        });
    }

    @Test
    void imageRowsNameTheContainerTheImageAsWrittenAndTheReason() {
        Finding f = CLASSIFIER
                .classify(
                        pod("Pending", List.of(), List.of(waiting("container-0", "ImagePullBackOff"))),
                        T0.plusSeconds(31))
                .orElseThrow();
        assertThat(f.rows())
                .containsExactly(
                        List.of("container-0", "registry/app:1", "ImagePullBackOff", "ImagePullBackOff message"));
        assertThat(f.deleteJob()).isTrue();
        assertThat(f.cancelIfTaken()).isTrue();
    }

    @Test
    void anInitFailureFinishesWithTheContainersExitCodeAndKeepsTheJob() {
        Finding f = CLASSIFIER
                .classify(pod("Failed", List.of(terminated("copy-agent", 3, "Error")), List.of()), T0.plusSeconds(2))
                .orElseThrow();
        assertThat(f.exitStatus()).isEqualTo(3);
        assertThat(f.deleteJob()).isFalse();
        assertThat(f.rows()).containsExactly(List.of("copy-agent", "3", "", "Error", ""));
    }

    @Test
    void anOomKillNamesTheContainerAndItsMemoryLimit() {
        Finding f = CLASSIFIER
                .classify(
                        pod("Failed", List.of(), List.of(terminated("container-0", 137, "OOMKilled"))),
                        T0.plusSeconds(60))
                .orElseThrow();
        assertThat(f.headline())
                .contains(
                        "Container container-0 was killed for using more memory than its limit (memory limit 512Mi).");
        assertThat(f.exitStatus()).isEqualTo(137);
        assertThat(f.onlyIfScheduled()).isTrue();
    }

    @Test
    void anEvictionQuotesTheEvictionMessage() {
        Pod evicted = new PodBuilder(pod("Failed", List.of(), List.of()))
                .editStatus()
                .withReason("Evicted")
                .withMessage("The node was low on resource: ephemeral-storage.")
                .endStatus()
                .build();
        assertThat(CLASSIFIER
                        .classify(evicted, T0.plusSeconds(60))
                        .orElseThrow()
                        .headline())
                .contains("Evicted: The node was low on resource: ephemeral-storage.");
    }

    @Test
    void aPodDeletedBeforeTheAgentRanIsAFinding() {
        Pod deleted = pod("Pending", List.of(), List.of(waiting("agent", "PodInitializing")));
        assertThat(CLASSIFIER.classifyDeleted(deleted).orElseThrow().headline())
                .startsWith("The pod buildkite-u1-abcde was deleted before the agent acquired this Buildkite job.");
        assertThat(CLASSIFIER.classifyDeleted(pod("Succeeded", List.of(), List.of())))
                .isEmpty();
    }

    @Test
    void aPodEndedByTheDeadlineAfterItsAgentFinishedIsNotAFailure() {
        // The completion watcher's deadline killed the plain container left running; the agent had exited 1 (the
        // build failed), which Buildkite already has as the job's result.
        Pod ended = new PodBuilder(pod(
                        "Failed",
                        List.of(),
                        List.of(
                                terminated("agent", 1, "Error"),
                                terminated("container-0", 1, "Error"),
                                terminated("stuck", 137, "Error"))))
                .editStatus()
                .withReason("DeadlineExceeded")
                .endStatus()
                .build();
        assertThat(CLASSIFIER.classify(ended, T0.plusSeconds(60))).isEmpty();
        assertThat(CLASSIFIER.classifyDeleted(ended)).isEmpty();
        Pod agentNeverRan = new PodBuilder(pod("Failed", List.of(), List.of(waiting("agent", "PodInitializing"))))
                .editStatus()
                .withReason("DeadlineExceeded")
                .endStatus()
                .build();
        assertThat(CLASSIFIER.classify(agentNeverRan, T0.plusSeconds(60)).map(Finding::reason))
                .contains("pod_died");
    }

    static Job job(Integer active, Integer failed, String conditionType, String conditionReason) {
        JobBuilder b = new JobBuilder()
                .withNewMetadata()
                .withName("buildkite-u1")
                .withCreationTimestamp(T0.toString())
                .withLabels(Map.of("buildkite.com/job-uuid", "u1"))
                .endMetadata();
        var status = b.withNewStatus().withActive(active).withFailed(failed);
        if (conditionType != null) {
            status.addNewCondition()
                    .withType(conditionType)
                    .withStatus("True")
                    .withReason(conditionReason)
                    .endCondition();
        }
        return status.endStatus().build();
    }

    @Test
    void aJobWithoutAPodIsAFindingOnlyAfterTheGracePeriod() {
        assertThat(CLASSIFIER.classify(job(0, 0, null, null), T0.plusSeconds(10)))
                .isEmpty();
        Finding f =
                CLASSIFIER.classify(job(0, 0, null, null), T0.plusSeconds(45)).orElseThrow();
        assertThat(f.reason()).isEqualTo("no_pod");
        assertThat(f.headline()).isEqualTo("The Kubernetes job spent 45s without starting a pod.");
        assertThat(f.eventsOf()).isEqualTo(Finding.EventsOf.JOB);
        assertThat(CLASSIFIER.classify(job(1, 0, null, null), T0.plusSeconds(45)))
                .as("it has a pod")
                .isEmpty();
    }

    @Test
    void aJobEndedByItsActiveDeadlineIsNotAFailureToReport() {
        assertThat(CLASSIFIER.classify(job(0, 0, "Failed", "DeadlineExceeded"), T0.plusSeconds(45)))
                .isEmpty();
        assertThat(CLASSIFIER
                        .classify(job(0, 0, "Failed", "BackoffLimitExceeded"), T0.plusSeconds(5))
                        .orElseThrow()
                        .headline())
                .isEqualTo("The Kubernetes job ended without starting a pod.");
    }
}

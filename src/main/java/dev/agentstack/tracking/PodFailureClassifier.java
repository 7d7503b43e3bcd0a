package dev.agentstack.tracking;

import dev.agentstack.config.Durations;
import dev.agentstack.kubernetes.JobLabels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, from a pod's or a Job's status alone, whether its Buildkite job can never run, and why. Pure: the same
 * status and time give the same finding, so a restarted controller comes to the same conclusion. What to do about a
 * finding (failing the job once, deleting the Job) is the route's.
 */
public final class PodFailureClassifier {

    /** Waiting reasons of a container that will not start on its own. */
    static final Set<String> CANNOT_START = Set.of(
            "ErrImagePull",
            "ImagePullBackOff",
            "ErrImageNeverPull",
            "InvalidImageName",
            "CreateContainerConfigError",
            "CreateContainerError",
            "PreCreateHookError",
            "PreStartHookError",
            "ImageInspectError");
    /** Reasons no waiting will fix, reported at once instead of after the grace period. */
    static final Set<String> AT_ONCE = Set.of("InvalidImageName");

    private static final String AGENT = "agent";

    private final Duration imagePullGrace;
    private final Duration podPendingTimeout;
    private final Duration emptyJobGrace;

    public PodFailureClassifier(Duration imagePullGrace, Duration podPendingTimeout, Duration emptyJobGrace) {
        this.imagePullGrace = imagePullGrace;
        this.podPendingTimeout = podPendingTimeout;
        this.emptyJobGrace = emptyJobGrace;
    }

    /** A pod's current state. */
    public Optional<Finding> classify(Pod pod, Instant now) {
        String uuid = JobLabels.jobUuidOf(pod);
        String jobName = jobNameOf(pod);
        if (uuid == null
                || jobName == null
                || pod.getStatus() == null
                || "Succeeded".equals(pod.getStatus().getPhase())) {
            return Optional.empty();
        }
        Optional<Finding> init = failedInitContainers(pod, uuid, jobName);
        if (init.isPresent()) {
            return init;
        }
        Optional<Finding> cannotStart = containersThatCannotStart(pod, uuid, jobName, now);
        if (cannotStart.isPresent()) {
            return cannotStart;
        }
        if ("Failed".equals(pod.getStatus().getPhase())) {
            return diedBeforeAcquire(pod, uuid, jobName, null);
        }
        Instant created = time(pod.getMetadata().getCreationTimestamp());
        if ("Pending".equals(pod.getStatus().getPhase())
                && created != null
                && !Duration.between(created, now).minus(podPendingTimeout).isNegative()) {
            List<List<String>> rows = new ArrayList<>();
            for (PodCondition c : nullSafe(pod.getStatus().getConditions())) {
                rows.add(List.of(c.getType(), nz(c.getStatus()), nz(c.getReason()), nz(c.getMessage())));
            }
            return Optional.of(new Finding(
                    "pending_timeout",
                    uuid,
                    jobName,
                    tags(pod.getMetadata().getLabels()),
                    pod.getMetadata().getName(),
                    "The pod " + pod.getMetadata().getName() + " has been in Pending state for "
                            + Durations.format(Duration.between(created, now).withNanos(0)) + " without starting.",
                    List.of("CONDITION", "STATUS", "REASON", "MESSAGE"),
                    rows,
                    Finding.EventsOf.POD,
                    1,
                    true,
                    false,
                    false));
        }
        return Optional.empty();
    }

    /** A pod that was deleted: if it had not finished and its agent never ran, its job may still be waiting. */
    public Optional<Finding> classifyDeleted(Pod pod) {
        String uuid = JobLabels.jobUuidOf(pod);
        String jobName = jobNameOf(pod);
        if (uuid == null
                || jobName == null
                || pod.getStatus() == null
                || "Succeeded".equals(pod.getStatus().getPhase())) {
            return Optional.empty();
        }
        return diedBeforeAcquire(
                pod, uuid, jobName, "The pod " + pod.getMetadata().getName() + " was deleted");
    }

    /** A Job's current state: one that never got a pod. */
    public Optional<Finding> classify(Job job, Instant now) {
        String uuid = JobLabels.jobUuidOf(job);
        if (uuid == null || job.getStatus() == null && job.getMetadata().getCreationTimestamp() == null) {
            return Optional.empty();
        }
        var status = job.getStatus();
        int pods = status == null ? 0 : n(status.getActive()) + n(status.getSucceeded()) + n(status.getFailed());
        boolean uncounted = status != null
                && status.getUncountedTerminatedPods() != null
                && (!nullSafe(status.getUncountedTerminatedPods().getFailed()).isEmpty()
                        || !nullSafe(status.getUncountedTerminatedPods().getSucceeded())
                                .isEmpty());
        if (pods > 0 || uncounted) {
            return Optional.empty();
        }
        for (JobCondition c : status == null ? List.<JobCondition>of() : nullSafe(status.getConditions())) {
            if ("True".equals(c.getStatus()) && "DeadlineExceeded".equals(c.getReason())) {
                return Optional.empty(); // its activeDeadlineSeconds ended it: not a failure to report
            }
        }
        boolean finished = status != null
                && nullSafe(status.getConditions()).stream()
                        .anyMatch(c -> "True".equals(c.getStatus())
                                && ("Failed".equals(c.getType()) || "Complete".equals(c.getType())));
        Instant since = time(
                status != null && status.getStartTime() != null
                        ? status.getStartTime()
                        : job.getMetadata().getCreationTimestamp());
        if (since == null || !finished && Duration.between(since, now).compareTo(emptyJobGrace) < 0) {
            return Optional.empty();
        }
        String headline = finished
                ? "The Kubernetes job ended without starting a pod."
                : "The Kubernetes job spent "
                        + Durations.format(Duration.between(since, now).withNanos(0)) + " without starting a pod.";
        return Optional.of(new Finding(
                "no_pod",
                uuid,
                job.getMetadata().getName(),
                tags(job.getMetadata().getLabels()),
                null,
                headline,
                List.of(),
                List.of(),
                Finding.EventsOf.JOB,
                1,
                true,
                false,
                false));
    }

    /**
     * What the job's timeline should show about the pod while the job goes on (each {@link PodNotice#key} once): an
     * image that cannot be pulled while the agent runs (the job fails only once the agent times out), a pod pending
     * for half of pod-pending-timeout, and, once the agent has started, each container OOMKilled and an eviction.
     */
    public List<PodNotice> notices(Pod pod, Instant now) {
        String uuid = JobLabels.jobUuidOf(pod);
        if (uuid == null || pod.getStatus() == null) {
            return List.of();
        }
        String podName = pod.getMetadata().getName();
        List<PodNotice> notices = new ArrayList<>();
        List<ContainerStatus> all = new ArrayList<>(nullSafe(pod.getStatus().getInitContainerStatuses()));
        all.addAll(nullSafe(pod.getStatus().getContainerStatuses()));
        ContainerStatus agent =
                all.stream().filter(s -> AGENT.equals(s.getName())).findFirst().orElse(null);
        boolean agentRuns =
                agent != null && agent.getState() != null && agent.getState().getRunning() != null;
        boolean agentStarted = agentRuns
                || agent != null
                        && agent.getState() != null
                        && agent.getState().getTerminated() != null
                        && agent.getState().getTerminated().getStartedAt() != null;
        Instant started = time(
                pod.getStatus().getStartTime() != null
                        ? pod.getStatus().getStartTime()
                        : pod.getMetadata().getCreationTimestamp());
        boolean pastPullGrace = started != null
                && !Duration.between(started, now).minus(imagePullGrace).isNegative();
        if (agentRuns) {
            List<String> pulls = new ArrayList<>();
            for (ContainerStatus s : all) {
                ContainerStateWaiting w =
                        s.getState() == null ? null : s.getState().getWaiting();
                if (w != null
                        && CANNOT_START.contains(w.getReason())
                        && (pastPullGrace || AT_ONCE.contains(w.getReason()))) {
                    pulls.add(s.getName() + ": " + w.getReason() + " (" + nz(w.getMessage()) + ")");
                }
            }
            if (!pulls.isEmpty()) {
                notices.add(new PodNotice(
                        uuid,
                        podName + "/image_pull",
                        "Image pull failure; the job will fail once" + " the agent times out. "
                                + String.join("; ", pulls)));
            }
        }
        Instant created = time(pod.getMetadata().getCreationTimestamp());
        if ("Pending".equals(pod.getStatus().getPhase())
                && created != null
                && Duration.between(created, now).compareTo(podPendingTimeout.dividedBy(2)) >= 0) {
            String why = nullSafe(pod.getStatus().getConditions()).stream()
                    .filter(c -> "False".equals(c.getStatus()) && c.getMessage() != null)
                    .map(c -> " " + nz(c.getReason()) + ": " + c.getMessage())
                    .findFirst()
                    .orElse("");
            notices.add(new PodNotice(
                    uuid,
                    podName + "/pending",
                    "Pod " + podName + " has been Pending for "
                            + Durations.format(Duration.between(created, now).withNanos(0))
                            + "; the job fails if it has not"
                            + " started within " + Durations.format(podPendingTimeout) + "." + why));
        }
        if (!agentStarted) {
            return notices; // the job never ran here: a finding reports the pod instead
        }
        for (ContainerStatus s : all) {
            if (oomKilled(s.getState() == null ? null : s.getState().getTerminated())
                    || oomKilled(
                            s.getLastState() == null ? null : s.getLastState().getTerminated())) {
                notices.add(new PodNotice(
                        uuid,
                        podName + "/oom/" + s.getName(),
                        "Container \"" + s.getName() + "\" was OOMKilled (" + memoryLimit(pod, s.getName()) + ")"));
            }
        }
        if ("Evicted".equals(pod.getStatus().getReason())) {
            notices.add(new PodNotice(
                    uuid,
                    podName + "/evicted",
                    "Pod evicted: " + nz(pod.getStatus().getMessage())));
        }
        return notices;
    }

    private static boolean oomKilled(ContainerStateTerminated t) {
        return t != null && "OOMKilled".equals(t.getReason());
    }

    private Optional<Finding> failedInitContainers(Pod pod, String uuid, String jobName) {
        List<List<String>> rows = new ArrayList<>();
        int exit = 0;
        for (ContainerStatus s : nullSafe(pod.getStatus().getInitContainerStatuses())) {
            ContainerStateTerminated t =
                    s.getState() == null ? null : s.getState().getTerminated();
            if (t == null || t.getExitCode() == null || t.getExitCode() == 0 || isSidecar(pod, s.getName())) {
                continue;
            }
            if (exit == 0) {
                exit = t.getExitCode();
            }
            rows.add(List.of(
                    s.getName(),
                    String.valueOf(t.getExitCode()),
                    t.getSignal() == null ? "" : String.valueOf(t.getSignal()),
                    nz(t.getReason()),
                    nz(t.getMessage())));
        }
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Finding(
                "init_container",
                uuid,
                jobName,
                tags(pod.getMetadata().getLabels()),
                pod.getMetadata().getName(),
                "The following init containers failed:",
                List.of("CONTAINER", "EXIT CODE", "SIGNAL", "REASON", "MESSAGE"),
                rows,
                Finding.EventsOf.POD,
                exit,
                false,
                false,
                false));
    }

    private Optional<Finding> containersThatCannotStart(Pod pod, String uuid, String jobName, Instant now) {
        Instant started = time(
                pod.getStatus().getStartTime() != null
                        ? pod.getStatus().getStartTime()
                        : pod.getMetadata().getCreationTimestamp());
        boolean pastGrace = started != null
                && !Duration.between(started, now).minus(imagePullGrace).isNegative();
        boolean mainStarted = nullSafe(pod.getStatus().getContainerStatuses()).stream()
                .anyMatch(s -> s.getState() != null
                        && (s.getState().getRunning() != null || s.getState().getTerminated() != null));
        List<List<String>> rows = new ArrayList<>();
        List<ContainerStatus> all = new ArrayList<>(nullSafe(pod.getStatus().getInitContainerStatuses()));
        all.addAll(nullSafe(pod.getStatus().getContainerStatuses()));
        for (ContainerStatus s : all) {
            ContainerStateWaiting w = s.getState() == null ? null : s.getState().getWaiting();
            if (w == null || !CANNOT_START.contains(w.getReason())) {
                continue;
            }
            if (!AT_ONCE.contains(w.getReason()) && !pastGrace) {
                continue;
            }
            if (isSidecar(pod, s.getName()) && mainStarted) {
                continue; // a sidecar that fails after the job's containers started does not block the job
            }
            rows.add(List.of(s.getName(), imageOf(pod, s), w.getReason(), nz(w.getMessage())));
        }
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Finding(
                "image_pull",
                uuid,
                jobName,
                tags(pod.getMetadata().getLabels()),
                pod.getMetadata().getName(),
                "The following containers could not be created or their images could not be pulled:",
                List.of("CONTAINER", "IMAGE", "REASON", "MESSAGE"),
                rows,
                Finding.EventsOf.POD,
                1,
                true,
                true,
                false));
    }

    private Optional<Finding> diedBeforeAcquire(Pod pod, String uuid, String jobName, String deletedHeadline) {
        ContainerStatus agent = nullSafe(pod.getStatus().getContainerStatuses()).stream()
                .filter(s -> AGENT.equals(s.getName()))
                .findFirst()
                .orElse(null);
        if (agent != null
                && agent.getState() != null
                && agent.getState().getTerminated() != null
                && Integer.valueOf(0).equals(agent.getState().getTerminated().getExitCode())) {
            return Optional.empty(); // the agent ran and finished: Buildkite has the job's own result
        }
        if (agent != null
                && agent.getState() != null
                && agent.getState().getTerminated() != null
                && "DeadlineExceeded".equals(pod.getStatus().getReason())) {
            // The deadline (e.g. the completion watcher's) ended what ran on after the agent: the agent's exit is
            // the job's result, whatever it was.
            return Optional.empty();
        }
        List<String> causes = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        int exit = 1;
        if (deletedHeadline == null && "Evicted".equals(pod.getStatus().getReason())) {
            causes.add("Evicted: " + nz(pod.getStatus().getMessage()));
        }
        if (deletedHeadline == null && "NodeLost".equals(pod.getStatus().getReason())) {
            causes.add(
                    "The node running the pod was lost: " + nz(pod.getStatus().getMessage()));
        }
        for (PodCondition c : nullSafe(pod.getStatus().getConditions())) {
            if ("DisruptionTarget".equals(c.getType()) && "True".equals(c.getStatus())) {
                causes.add("Disrupted (" + nz(c.getReason()) + "): " + nz(c.getMessage()));
            }
        }
        List<ContainerStatus> all = new ArrayList<>(nullSafe(pod.getStatus().getInitContainerStatuses()));
        all.addAll(nullSafe(pod.getStatus().getContainerStatuses()));
        for (ContainerStatus s : all) {
            ContainerStateTerminated t =
                    s.getState() == null ? null : s.getState().getTerminated();
            if (t == null || Integer.valueOf(0).equals(t.getExitCode())) {
                continue;
            }
            if ("OOMKilled".equals(t.getReason())) {
                causes.add("Container " + s.getName() + " was killed for using more memory than its limit ("
                        + memoryLimit(pod, s.getName()) + ").");
                exit = t.getExitCode() == null ? 137 : t.getExitCode();
            } else if (exit == 1 && t.getExitCode() != null) {
                exit = t.getExitCode();
            }
            rows.add(List.of(s.getName(), String.valueOf(t.getExitCode()), nz(t.getReason()), nz(t.getMessage())));
        }
        String headline = (deletedHeadline != null
                        ? deletedHeadline
                        : "The Kubernetes pod " + pod.getMetadata().getName() + " failed")
                + " before the agent acquired this Buildkite job."
                + (causes.isEmpty() ? "" : "\n" + String.join("\n", causes));
        return Optional.of(new Finding(
                "pod_died",
                uuid,
                jobName,
                tags(pod.getMetadata().getLabels()),
                pod.getMetadata().getName(),
                headline,
                rows.isEmpty() ? List.of() : List.of("CONTAINER", "EXIT CODE", "REASON", "MESSAGE"),
                rows,
                Finding.EventsOf.POD,
                exit,
                false,
                false,
                true));
    }

    private static boolean isSidecar(Pod pod, String container) {
        return nullSafe(pod.getSpec() == null ? null : pod.getSpec().getInitContainers()).stream()
                .anyMatch(c -> c.getName().equals(container) && "Always".equals(c.getRestartPolicy()));
    }

    private static String imageOf(Pod pod, ContainerStatus s) {
        if (pod.getSpec() != null) {
            List<Container> all = new ArrayList<>(nullSafe(pod.getSpec().getInitContainers()));
            all.addAll(nullSafe(pod.getSpec().getContainers()));
            for (Container c : all) {
                if (c.getName().equals(s.getName()) && c.getImage() != null) {
                    return c.getImage(); // the reference as written, not the resolved digest
                }
            }
        }
        return nz(s.getImage());
    }

    private static String memoryLimit(Pod pod, String container) {
        if (pod.getSpec() != null) {
            List<Container> all = new ArrayList<>(nullSafe(pod.getSpec().getInitContainers()));
            all.addAll(nullSafe(pod.getSpec().getContainers()));
            for (Container c : all) {
                if (c.getName().equals(container)
                        && c.getResources() != null
                        && c.getResources().getLimits() != null) {
                    Quantity q = c.getResources().getLimits().get("memory");
                    if (q != null) {
                        return "memory limit " + q;
                    }
                }
            }
        }
        return "no memory limit set: the node ran out of memory";
    }

    /** The job's agent tags, from the {@code tag.buildkite.com/<key>=<value>} labels the builder sets. */
    static List<String> tags(Map<String, String> labels) {
        List<String> tags = new ArrayList<>();
        if (labels != null) {
            labels.forEach((k, v) -> {
                if (k.startsWith(JobLabels.TAG_PREFIX)) {
                    tags.add(k.substring(JobLabels.TAG_PREFIX.length()) + "=" + v);
                }
            });
        }
        tags.sort(null);
        return tags;
    }

    static String jobNameOf(Pod pod) {
        String name = label(pod.getMetadata().getLabels(), "batch.kubernetes.io/job-name");
        return name != null ? name : label(pod.getMetadata().getLabels(), "job-name");
    }

    private static String label(Map<String, String> labels, String key) {
        return labels == null ? null : labels.get(key);
    }

    static Instant time(String timestamp) {
        if (timestamp == null || timestamp.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }
}

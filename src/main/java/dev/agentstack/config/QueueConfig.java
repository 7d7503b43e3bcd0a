package dev.agentstack.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.agentstack.kubernetes.KubernetesNames;
import dev.agentstack.podspec.ControllerPodSpecPatch;
import java.util.List;
import java.util.Map;

/**
 * One entry of the {@code queues:} option: a queue this controller serves, with its own agent tags (exactly one queue
 * tag, which names the queue), its own max-in-flight and an optional pod-spec patch applied after the controller-wide
 * {@code pod-spec-patch}. Without {@code queues:}, the controller serves one queue from {@code tags} and
 * {@code max-in-flight}.
 *
 * The pod policy options ({@link Options#PER_QUEUE_POLICY}) may be set per queue too; an unset one is the
 * controller's.
 *
 * @param maxInFlight null: the controller's {@code max-in-flight}
 */
public record QueueConfig(
        List<String> tags,
        @JsonProperty("max-in-flight") Integer maxInFlight,
        @JsonProperty("pod-spec-patch") Map<String, Object> podSpecPatch,
        @JsonProperty("pod-security-level") String podSecurityLevel,
        @JsonProperty("run-as-user") Integer runAsUser,
        @JsonProperty("allowed-service-accounts") List<String> allowedServiceAccounts,
        @JsonProperty("job-service-account") String jobServiceAccount,
        @JsonProperty("allowed-images") List<String> allowedImages,
        @JsonProperty("max-container-resources") Map<String, Object> maxContainerResources,
        @JsonProperty("max-job-active-deadline-seconds") Integer maxJobActiveDeadlineSeconds,
        @JsonProperty("prohibit-kubernetes-plugin") Boolean prohibitKubernetesPlugin) {

    public QueueConfig {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    /** A queue with only tags, max-in-flight and a patch: the controller's pod policy. */
    public QueueConfig(List<String> tags, Integer maxInFlight, Map<String, Object> podSpecPatch) {
        this(tags, maxInFlight, podSpecPatch, null, null, null, null, null, null, null, null);
    }

    /** This entry with another max-in-flight. */
    QueueConfig withMaxInFlight(Integer max) {
        return new QueueConfig(
                tags,
                max,
                podSpecPatch,
                podSecurityLevel,
                runAsUser,
                allowedServiceAccounts,
                jobServiceAccount,
                allowedImages,
                maxContainerResources,
                maxJobActiveDeadlineSeconds,
                prohibitKubernetesPlugin);
    }

    /** The pod policy options this queue sets, which replace the controller's for its jobs. */
    Map<Option<?>, Object> policyOverrides() {
        Map<Option<?>, Object> set = new java.util.LinkedHashMap<>();
        List<Object> values = java.util.Arrays.asList(
                podSecurityLevel,
                runAsUser,
                allowedServiceAccounts,
                jobServiceAccount,
                allowedImages,
                maxContainerResources,
                maxJobActiveDeadlineSeconds,
                prohibitKubernetesPlugin);
        for (int i = 0; i < Options.PER_QUEUE_POLICY.size(); i++) {
            if (values.get(i) != null) {
                set.put(Options.PER_QUEUE_POLICY.get(i), values.get(i));
            }
        }
        return set;
    }

    /** The value of the queue tag, or null when there is none. */
    public String name() {
        return queueOf(tags);
    }

    static String queueOf(List<String> tags) {
        for (String tag : tags) {
            if (tag.startsWith("queue=")) {
                return tag.substring("queue=".length());
            }
        }
        return null;
    }

    /** The first problem of this entry, as a few words, or null. */
    String problem(boolean allowPatchCommands) {
        String tagsProblem = Options.tagsProblem(tags);
        if (tagsProblem != null) {
            return "tags " + tagsProblem;
        }
        String labelProblem = KubernetesNames.labelValueProblem(name());
        if (labelProblem != null) {
            // the queue becomes the tag.buildkite.com/queue label of its Jobs
            return "queue \"" + name() + "\": " + labelProblem;
        }
        if (maxInFlight != null && maxInFlight < 0) {
            return "max-in-flight must be 0 or more, got " + maxInFlight;
        }
        String patchProblem = ControllerPodSpecPatch.problem(podSpecPatch, allowPatchCommands);
        if (patchProblem != null) {
            return "pod-spec-patch: " + patchProblem;
        }
        for (Map.Entry<Option<?>, Object> e : policyOverrides().entrySet()) {
            String problem = firstProblem(e.getKey(), e.getValue());
            if (problem != null) {
                return e.getKey().key() + " " + problem;
            }
        }
        return null;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String firstProblem(Option option, Object v) {
        return option.firstProblem(v);
    }
}

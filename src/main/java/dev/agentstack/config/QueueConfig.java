package dev.agentstack.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One entry of the {@code queues:} option: a queue this controller serves, with its own agent tags (exactly one queue
 * tag, which names the queue), its own max-in-flight and an optional pod-spec patch applied after the controller-wide
 * {@code pod-spec-patch}. Without {@code queues:}, the controller serves one queue from {@code tags} and
 * {@code max-in-flight}.
 *
 * @param maxInFlight null: the controller's {@code max-in-flight}
 */
public record QueueConfig(List<String> tags, @JsonProperty("max-in-flight") Integer maxInFlight,
                          @JsonProperty("pod-spec-patch") Map<String, Object> podSpecPatch) {

    public QueueConfig {
        tags = tags == null ? List.of() : List.copyOf(tags);
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
        return patchProblem == null ? null : "pod-spec-patch: " + patchProblem;
    }
}

package dev.agentstack.podspec;

import dev.agentstack.kubernetes.KubernetesNames;
import java.util.LinkedHashMap;
import java.util.Map;

/** Labels and annotations for the Job and its pod: {@code default-metadata}, then the plugin's {@code metadata}. */
public record PodMetadata(Map<String, String> labels, Map<String, String> annotations) {

    public static final PodMetadata NONE = new PodMetadata(null, null);

    public PodMetadata {
        // insertion order is kept so the output is the same every time
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        annotations = annotations == null
                ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
    }

    /** The first label or annotation Kubernetes would reject, as "labels.key: problem", or null. */
    public String problem() {
        String labelsProblem = KubernetesNames.labelsProblem("labels", labels);
        if (labelsProblem != null) {
            return labelsProblem;
        }
        for (String key : annotations.keySet()) {
            String p = KubernetesNames.qualifiedNameProblem(key);
            if (p != null) {
                return "annotations: invalid key \"" + key + "\": " + p;
            }
        }
        return null;
    }
}

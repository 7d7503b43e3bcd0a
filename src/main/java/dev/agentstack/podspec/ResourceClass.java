package dev.agentstack.podspec;

import dev.agentstack.config.StrictDecoder;
import dev.agentstack.kubernetes.KubernetesNames;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of {@code resource-classes}, chosen by the job tag {@code resource_class=<name>} (or
 * {@code default-resource-class-name}): resources for every command container, pod-level resources and node selector
 * entries, each merged key by key over what the pod spec has.
 *
 * @param resource    requests and limits for each command container
 * @param podResource the pod's own {@code spec.resources}
 * @param nodeSelector added to the pod's node selector; its keys win
 */
public record ResourceClass(
        ResourceRequirements resource, ResourceRequirements podResource, Map<String, String> nodeSelector) {

    public ResourceClass {
        nodeSelector = nodeSelector == null
                ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(nodeSelector));
    }

    /**
     * The resource-classes option's value, each class decoded strictly.
     *
     * @param path prefixed to error paths, e.g. {@code resource-classes}; empty for none
     * @throws DecodeException naming the class and the field
     */
    public static Map<String, ResourceClass> decodeAll(Map<String, Object> raw, String path) {
        Map<String, ResourceClass> classes = new LinkedHashMap<>();
        raw.forEach((name, value) -> classes.put(
                name, StrictDecoder.decode(value, ResourceClass.class, path.isEmpty() ? name : path + "." + name)));
        return java.util.Collections.unmodifiableMap(classes);
    }

    /** The first node selector entry Kubernetes would reject, as "nodeSelector...: problem", or null. */
    public String problem() {
        return KubernetesNames.labelsProblem("nodeSelector", nodeSelector);
    }
}

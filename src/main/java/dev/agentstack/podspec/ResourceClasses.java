package dev.agentstack.podspec;

import dev.agentstack.buildkite.AgentTags;
import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.config.ControllerConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 6 of the build: the job's resource class (tag {@code resource_class}, else {@code default-resource-class-name})
 * merged into the pod spec while its only containers are the command containers, so the agent, checkout and sidecars
 * keep their own resources and the pod-spec patches that follow can still override it.
 */
final class ResourceClasses {

    private ResourceClasses() {}

    static void apply(PodSpec spec, List<Container> commandContainers, BuildkiteJob job, ControllerConfig config) {
        String tagged = job.tag(AgentTags.RESOURCE_CLASS);
        String name = tagged != null ? tagged : config.defaultResourceClassName();
        if (name.isEmpty()) {
            return;
        }
        if (!config.hasResourceClasses()) {
            throw new BuildFailure(
                    tagged != null
                            ? "resource classes not configured but resource_class tag specified"
                            : "resource classes not configured but default-resource-class-name is set");
        }
        ResourceClass chosen = config.resourceClasses().get(name);
        if (chosen == null) {
            throw new BuildFailure(
                    (tagged != null ? "resource class not found: " : "default resource class not found: ") + name);
        }
        if (!chosen.nodeSelector().isEmpty()) {
            Map<String, String> selector =
                    new LinkedHashMap<>(spec.getNodeSelector() == null ? Map.of() : spec.getNodeSelector());
            selector.putAll(chosen.nodeSelector());
            spec.setNodeSelector(selector);
        }
        if (chosen.resource() != null) {
            for (Container c : commandContainers) {
                if (CommandContainers.isCommandContainer(c)) {
                    c.setResources(merged(c.getResources(), chosen.resource()));
                }
            }
        }
        if (chosen.podResource() != null) {
            spec.setResources(merged(spec.getResources(), chosen.podResource()));
        }
    }

    /** The class's requests and limits over the container's, key by key. */
    private static ResourceRequirements merged(ResourceRequirements own, ResourceRequirements fromClass) {
        ResourceRequirements out = own == null ? new ResourceRequirements() : own;
        out.setRequests(merged(out.getRequests(), fromClass.getRequests()));
        out.setLimits(merged(out.getLimits(), fromClass.getLimits()));
        return out;
    }

    private static Map<String, Quantity> merged(Map<String, Quantity> own, Map<String, Quantity> fromClass) {
        if (fromClass == null || fromClass.isEmpty()) {
            return own;
        }
        Map<String, Quantity> out = new LinkedHashMap<>(own == null ? Map.of() : own);
        out.putAll(fromClass);
        return out;
    }
}

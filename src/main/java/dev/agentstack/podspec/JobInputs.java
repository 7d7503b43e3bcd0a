package dev.agentstack.podspec;

import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.config.AgentConfig;
import dev.agentstack.config.CheckoutParams;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Interposer;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import java.util.Map;

/**
 * Everything the builder's steps read, decided once before any container is made.
 *
 * @param env            the job's environment
 * @param base           the base pod spec (the plugin's podSpec, a PodTemplate's, or empty), before any change
 * @param podTemplate    the PodTemplate the base came from, or null
 * @param skipCheckout   no checkout container (default-checkout-params.skip, overridden by the plugin's)
 * @param workspaceMount the /workspace mount every container gets
 * @param sharedMounts   "M": the workspace mount, then the plugin's extraVolumeMounts
 * @param interposer     the plugin's interposer, else the controller's, else buildkite
 * @param version        the controller version for the agent's k8s:agent-stack-version tag
 */
record JobInputs(BuildkiteJob job, Map<String, String> env, KubernetesPlugin plugin, ControllerConfig config,
                 PodSpec base, String podTemplate, boolean skipCheckout, VolumeMount workspaceMount,
                 List<VolumeMount> sharedMounts, Interposer interposer, String version) {

    /** S: the checkout container takes BUILDKITE_CONTAINER_ID 0 when it exists, so command containers start at S. */
    int firstCommandId() {
        return skipCheckout ? 0 : 1;
    }

    /** The agent-config option, or null. */
    AgentConfig agentConfig() {
        return config.agentConfig();
    }

    CheckoutParams defaultCheckout() {
        return config.defaultCheckoutParams();
    }

    /** runAsUser of the base pod spec (before patches), 0 when unset. */
    long runAsUser() {
        PodSecurityContext sc = base.getSecurityContext();
        return sc == null || sc.getRunAsUser() == null ? 0 : sc.getRunAsUser();
    }

    /** runAsGroup of the base pod spec (before patches), 0 when unset. */
    long runAsGroup() {
        PodSecurityContext sc = base.getSecurityContext();
        return sc == null || sc.getRunAsGroup() == null ? 0 : sc.getRunAsGroup();
    }

    /** T: the pod's grace period before patches, which the agent's cancel timings derive from. */
    int terminationGracePeriodSeconds() {
        Long t = base.getTerminationGracePeriodSeconds();
        return t != null ? (int) Math.min(Integer.MAX_VALUE, t) : config.defaultTerminationGracePeriodSeconds();
    }

    String envValue(String key) {
        return env.getOrDefault(key, "");
    }
}

package dev.agentstack.podspec;

import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.podspec.policy.PodSecurityLevel;
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
record JobInputs(
        BuildkiteJob job,
        Map<String, String> env,
        KubernetesPlugin plugin,
        ControllerConfig config,
        PodSpec base,
        String podTemplate,
        boolean skipCheckout,
        VolumeMount workspaceMount,
        List<VolumeMount> sharedMounts,
        Interposer interposer,
        String version) {

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

    /**
     * The user that copy-agent and checkout, as root, give the workspace to and switch to: runAsUser of the base pod
     * spec (before patches). 0 for none: unset, or at pod-security-level restricted, where nothing may run as root, so
     * they run as the pod's user themselves.
     */
    long setupUser() {
        PodSecurityContext sc = base.getSecurityContext();
        return restricted() || sc == null || sc.getRunAsUser() == null ? 0 : sc.getRunAsUser();
    }

    /** runAsGroup of the base pod spec, as {@link #setupUser()}. */
    long setupGroup() {
        PodSecurityContext sc = base.getSecurityContext();
        return restricted() || sc == null || sc.getRunAsGroup() == null ? 0 : sc.getRunAsGroup();
    }

    private boolean restricted() {
        return PodSecurityLevel.of(config.podSecurityLevel()) == PodSecurityLevel.RESTRICTED;
    }

    /** T: the pod's grace period before patches, which the agent's cancel timings derive from. */
    int terminationGracePeriodSeconds() {
        Long t = base.getTerminationGracePeriodSeconds();
        return t != null ? (int) Math.min(Integer.MAX_VALUE, t) : config.defaultTerminationGracePeriodSeconds();
    }

    /**
     * The same job without the step's say: no kubernetes plugin (a PodTemplate it names stays, since admins make
     * those), no image:, the controller's checkout and command defaults.
     */
    JobInputs adminOnly() {
        KubernetesPlugin plugin = podTemplate == null
                ? KubernetesPlugin.NONE
                : new KubernetesPlugin(null, null, podTemplate, null, null, null, null, null, null, null, null);
        Map<String, String> adminEnv = new java.util.LinkedHashMap<>(env);
        adminEnv.remove("BUILDKITE_IMAGE");
        adminEnv.remove("BUILDKITE_PLUGINS");
        Interposer ip = config.defaultCommandParams().interposer() != null
                ? config.defaultCommandParams().interposer()
                : Interposer.BUILDKITE;
        return new JobInputs(
                job,
                adminEnv,
                plugin,
                config,
                podTemplate != null ? PodSpecJson.copy(base) : new PodSpec(),
                podTemplate,
                Boolean.TRUE.equals(config.defaultCheckoutParams().skip()),
                workspaceMount,
                List.of(workspaceMount),
                ip,
                version);
    }

    /** The admin's patches or PodTemplate choose the service account or its token, which the policy then keeps. */
    boolean adminSetsServiceAccount() {
        for (Map<String, Object> patch : java.util.Arrays.asList(config.podSpecPatch(), config.queuePodSpecPatch())) {
            if (patch != null
                    && (patch.containsKey("serviceAccountName")
                            || patch.containsKey("serviceAccount")
                            || patch.containsKey("automountServiceAccountToken"))) {
                return true;
            }
        }
        return podTemplate != null
                && (base.getServiceAccountName() != null || base.getAutomountServiceAccountToken() != null);
    }

    String envValue(String key) {
        return env.getOrDefault(key, "");
    }
}

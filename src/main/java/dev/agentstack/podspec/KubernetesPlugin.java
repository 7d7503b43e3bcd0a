package dev.agentstack.podspec;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;

/**
 * The {@code kubernetes} plugin of a pipeline step: how the step wants its pod built. Its JSON field names are the
 * original's. Every field is optional.
 *
 * @param podSpec                  the base pod spec; its containers become command containers
 * @param podSpecPatch             a strategic merge patch applied last, after the controller's
 * @param podTemplate              a PodTemplate in the controller's namespace to use when podSpec is absent
 * @param gitEnvFrom               envFrom for checkout, command containers and sidecars (e.g. an SSH key secret)
 * @param sidecars                 containers that run beside the job as native sidecars
 * @param metadata                 labels and annotations for the Job and pod
 * @param extraVolumeMounts        mounts for command containers, agent, checkout and sidecars
 * @param checkout                 checkout parameters; win over default-checkout-params field by field
 * @param commandParams            command-container parameters, after default-command-params
 * @param sidecarParams            sidecar parameters, after default-sidecar-params
 * @param jobActiveDeadlineSeconds the Job's activeDeadlineSeconds when positive
 */
public record KubernetesPlugin(
        PodSpec podSpec,
        PodSpecPatch podSpecPatch,
        String podTemplate,
        List<EnvFromSource> gitEnvFrom,
        List<Container> sidecars,
        PodMetadata metadata,
        List<VolumeMount> extraVolumeMounts,
        CheckoutParams checkout,
        CommandParams commandParams,
        SidecarParams sidecarParams,
        Integer jobActiveDeadlineSeconds) {

    /** What a step without the plugin gets. */
    public static final KubernetesPlugin NONE =
            new KubernetesPlugin(null, null, null, null, null, null, null, null, null, null, null);

    public KubernetesPlugin {
        gitEnvFrom = gitEnvFrom == null ? List.of() : List.copyOf(gitEnvFrom);
        sidecars = sidecars == null ? List.of() : List.copyOf(sidecars);
        metadata = metadata == null ? PodMetadata.NONE : metadata;
        extraVolumeMounts = extraVolumeMounts == null ? List.of() : List.copyOf(extraVolumeMounts);
        checkout = checkout == null ? CheckoutParams.NONE : checkout;
        commandParams = commandParams == null ? CommandParams.NONE : commandParams;
        sidecarParams = sidecarParams == null ? SidecarParams.NONE : sidecarParams;
    }
}

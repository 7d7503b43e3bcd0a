package dev.agentstack.podspec;

import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;

/** Settings for every sidecar: {@code default-sidecar-params}, then the plugin's {@code sidecarParams}; appended. */
public record SidecarParams(List<EnvFromSource> envFrom, List<VolumeMount> extraVolumeMounts) {

    public static final SidecarParams NONE = new SidecarParams(null, null);

    public SidecarParams {
        envFrom = envFrom == null ? List.of() : List.copyOf(envFrom);
        extraVolumeMounts = extraVolumeMounts == null ? List.of() : List.copyOf(extraVolumeMounts);
    }
}

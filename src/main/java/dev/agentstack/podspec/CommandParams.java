package dev.agentstack.podspec;

import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;

/**
 * Settings for every command container: {@code default-command-params} in the controller, {@code commandParams} in the
 * kubernetes plugin. Both lists are appended, the controller's first; the plugin's interposer wins when it is set.
 *
 * @param interposer how a container's {@code command} and {@code args} become BUILDKITE_COMMAND; null when not set
 */
public record CommandParams(Interposer interposer, List<EnvFromSource> envFrom, List<VolumeMount> extraVolumeMounts) {

    public static final CommandParams NONE = new CommandParams(null, null, null);

    public CommandParams {
        envFrom = envFrom == null ? List.of() : List.copyOf(envFrom);
        extraVolumeMounts = extraVolumeMounts == null ? List.of() : List.copyOf(extraVolumeMounts);
    }
}

package dev.agentstack.podspec;

import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;

/**
 * How the checkout container clones: {@code default-checkout-params} in the controller, {@code checkout} in the
 * kubernetes plugin (which wins field by field). Every field is optional; null means "not set".
 */
public record CheckoutParams(
        Boolean skip,
        String checkoutFlags,
        String cleanFlags,
        String cloneFlags,
        String fetchFlags,
        Boolean noSubmodules,
        List<String> submoduleCloneConfig,
        GitMirrors gitMirrors,
        SecretVolumeSource gitCredentialsSecret,
        List<EnvFromSource> envFrom,
        List<VolumeMount> extraVolumeMounts) {

    public static final CheckoutParams NONE =
            new CheckoutParams(null, null, null, null, null, null, null, null, null, null, null);

    public CheckoutParams {
        submoduleCloneConfig = submoduleCloneConfig == null ? List.of() : List.copyOf(submoduleCloneConfig);
        envFrom = envFrom == null ? List.of() : List.copyOf(envFrom);
        extraVolumeMounts = extraVolumeMounts == null ? List.of() : List.copyOf(extraVolumeMounts);
    }

    /** The git-mirrors settings: {@code volume} is mounted in checkout at {@code path}. */
    public record GitMirrors(
            String path,
            io.fabric8.kubernetes.api.model.Volume volume,
            String cloneFlags,
            Integer lockTimeout,
            Boolean skipUpdate) {

        public static final String DEFAULT_PATH = "/buildkite/git-mirrors";

        /** The mirrors path: the given one, else the default when a volume is given, else null. */
        public String effectivePath() {
            return path != null ? path : volume != null ? DEFAULT_PATH : null;
        }
    }
}

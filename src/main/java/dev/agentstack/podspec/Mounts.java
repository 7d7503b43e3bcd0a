package dev.agentstack.podspec;

import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Volume mount lists: each container gets its own copies, and the first mount of a path wins. */
final class Mounts {

    private Mounts() {}

    /** Copies of all the mounts, in order, so no two containers share a mount object. */
    @SafeVarargs
    static List<VolumeMount> concat(List<VolumeMount>... lists) {
        List<VolumeMount> out = new ArrayList<>();
        for (List<VolumeMount> list : lists) {
            if (list != null) {
                list.forEach(m -> out.add(new VolumeMountBuilder(m).build()));
            }
        }
        return out;
    }

    /** The mounts with later duplicates of a mountPath dropped (the API server rejects duplicates). */
    static List<VolumeMount> firstPerPath(List<VolumeMount> mounts) {
        if (mounts == null) {
            return null;
        }
        Set<String> seen = new HashSet<>();
        List<VolumeMount> out = new ArrayList<>();
        for (VolumeMount m : mounts) {
            if (seen.add(m.getMountPath())) {
                out.add(m);
            }
        }
        return out;
    }
}

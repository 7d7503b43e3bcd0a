package dev.agentstack.podspec.policy;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.util.List;

/**
 * What the {@code restricted} level requires, filled in on every container where neither the container nor the pod
 * says otherwise, so an ordinary step meets the level without writing a securityContext. A value the spec does set is
 * kept, and {@link PodSecurityStandards} refuses it if it contradicts the level.
 */
public final class RestrictedDefaults {

    private RestrictedDefaults() {}

    /** Fills the pod spec in place. @param runAsUser the run-as-user option, for images that start as root */
    public static void fill(PodSpec spec, long runAsUser) {
        PodSecurityContext pod = spec.getSecurityContext();
        boolean podNonRoot = pod != null && pod.getRunAsNonRoot() != null;
        boolean podUser = pod != null && pod.getRunAsUser() != null;
        boolean podSeccomp = pod != null && pod.getSeccompProfile() != null;
        for (PodField.Located located : PodField.containers(spec)) {
            Container c = located.container();
            SecurityContext sc = c.getSecurityContext() != null ? c.getSecurityContext() : new SecurityContext();
            if (sc.getRunAsNonRoot() == null && !podNonRoot) {
                sc.setRunAsNonRoot(true);
            }
            if (sc.getRunAsUser() == null && !podUser) {
                sc.setRunAsUser(runAsUser);
            }
            if (sc.getSeccompProfile() == null && !podSeccomp) {
                sc.setSeccompProfile(new SeccompProfile(null, "RuntimeDefault"));
            }
            if (sc.getAllowPrivilegeEscalation() == null) {
                sc.setAllowPrivilegeEscalation(false);
            }
            Capabilities caps = sc.getCapabilities() != null ? sc.getCapabilities() : new Capabilities();
            if (caps.getDrop() == null || caps.getDrop().isEmpty()) {
                caps.setDrop(List.of("ALL"));
            }
            sc.setCapabilities(caps);
            c.setSecurityContext(sc);
        }
    }
}

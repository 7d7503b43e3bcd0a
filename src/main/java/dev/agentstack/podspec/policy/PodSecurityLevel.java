package dev.agentstack.podspec.policy;

import java.util.Locale;

/** The levels of the Kubernetes Pod Security Standards, each allowing less than the one before. */
public enum PodSecurityLevel {
    PRIVILEGED,
    BASELINE,
    RESTRICTED;

    /** The level of the pod-security-level option (already validated). */
    public static PodSecurityLevel of(String option) {
        return valueOf(option.toUpperCase(Locale.ROOT));
    }

    public boolean atLeast(PodSecurityLevel other) {
        return compareTo(other) >= 0;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package dev.agentstack.config;

import java.util.Locale;

/**
 * A key of agent-stack-k8s v0.47 that has no counterpart here. A config file, the chart's values, a flag or the
 * original's environment variable may still carry it, so an existing setup loads unchanged; the controller says once at
 * start that it ignores it, and why.
 *
 * @param key    the original's config-file key, also taken as a flag
 * @param kind   how a value is written, so that a flag of a boolean may stand alone as the original's could
 * @param reason why it does nothing here, in a few words
 */
public record IgnoredOption(String key, Option.Kind kind, String reason) {

    /** The original's variable: its flag in upper snake case, as Kong derived it. */
    public String originalEnvName() {
        return key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /**
     * The warning printed at start, the same wherever the key was set so that it is said once; it names the key, never
     * a value (one of them is a token).
     */
    public String warning() {
        return "ignoring " + key + " (" + originalEnvName() + "), an option of agent-stack-k8s: " + reason;
    }
}

package dev.agentstack.podspec;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.agentstack.config.Durations;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code agent-config} option: settings for the {@code buildkite-agent start} process in each Job's agent
 * container, plus volumes that carry hooks, plugins and signing keys. Keys are the agent's flag names. Every field is
 * optional; null means "not set", so the agent's own default applies.
 */
public record AgentConfig(
        String endpoint,
        @JsonProperty("no-http2") Boolean noHttp2,
        List<String> experiment,
        String shell,
        @JsonProperty("no-color") Boolean noColor,
        @JsonProperty("strict-single-hooks") Boolean strictSingleHooks,
        @JsonProperty("no-multipart-artifact-upload") Boolean noMultipartArtifactUpload,
        @JsonProperty("trace-context-encoding") String traceContextEncoding,
        @JsonProperty("tracing-backend") String tracingBackend,
        @JsonProperty("tracing-service-name") String tracingServiceName,
        @JsonProperty("tracing-propagate-traceparent") Boolean tracingPropagateTraceparent,
        @JsonProperty("disable-warnings-for") List<String> disableWarningsFor,
        @JsonProperty("debug-signing") Boolean debugSigning,
        @JsonProperty("git-skip-fetch-existing-commits") Boolean gitSkipFetchExistingCommits,
        @JsonProperty("container-start-timeout") String containerStartTimeout,
        @JsonProperty("hooks-path") String hooksPath,
        Volume hooksVolume,
        @JsonProperty("additional-hooks-paths") List<String> additionalHooksPaths,
        @JsonProperty("additional-hooks") List<AdditionalHook> additionalHooks,
        @JsonProperty("plugins-path") String pluginsPath,
        Volume pluginsVolume,
        @JsonProperty("no-pty") Boolean noPty,
        @JsonProperty("no-command-eval") Boolean noCommandEval,
        @JsonProperty("no-local-hooks") Boolean noLocalHooks,
        @JsonProperty("no-plugins") Boolean noPlugins,
        @JsonProperty("plugin-validation") Boolean pluginValidation,
        @JsonProperty("signing-jwks-file") String signingJwksFile,
        @JsonProperty("signing-jwks-key-id") String signingJwksKeyId,
        @JsonProperty("signingJWKSVolume") Volume signingJwksVolume,
        @JsonProperty("verification-jwks-file") String verificationJwksFile,
        @JsonProperty("verification-failure-behavior") String verificationFailureBehavior,
        @JsonProperty("verificationJWKSVolume") Volume verificationJwksVolume) {

    public static final String DEFAULT_HOOKS_PATH = "/workspace/hooks";
    public static final String DEFAULT_PLUGINS_PATH = "/workspace/plugins";
    static final String SIGNING_JWKS_DIR = "/buildkite/signing-jwks";
    static final String VERIFICATION_JWKS_DIR = "/buildkite/verification-jwks";

    /** A hooks directory backed by a volume, mounted at {@code path}. */
    public record AdditionalHook(String path, Volume volume) {}

    public AgentConfig {
        experiment = experiment == null ? List.of() : List.copyOf(experiment);
        disableWarningsFor = disableWarningsFor == null ? List.of() : List.copyOf(disableWarningsFor);
        additionalHooksPaths = additionalHooksPaths == null ? List.of() : List.copyOf(additionalHooksPaths);
        additionalHooks = additionalHooks == null ? List.of() : List.copyOf(additionalHooks);
    }

    /** What start-up rejects: hooks without path or volume, volumes without names, a bad duration. */
    public String problem() {
        for (int i = 0; i < additionalHooks.size(); i++) {
            AdditionalHook h = additionalHooks.get(i);
            String at = "additional-hooks[" + i + "]";
            if (h == null || h.path() == null || h.path().isBlank()) {
                return at + ".path: required";
            }
            if (h.volume() == null) {
                return at + ".volume: required";
            }
            if (h.volume().getName() == null || h.volume().getName().isBlank()) {
                return at + ".volume.name: required";
            }
        }
        List<Map.Entry<String, Volume>> named = new ArrayList<>();
        named.add(new java.util.AbstractMap.SimpleEntry<>("hooksVolume", hooksVolume));
        named.add(new java.util.AbstractMap.SimpleEntry<>("pluginsVolume", pluginsVolume));
        named.add(new java.util.AbstractMap.SimpleEntry<>("signingJWKSVolume", signingJwksVolume));
        named.add(new java.util.AbstractMap.SimpleEntry<>("verificationJWKSVolume", verificationJwksVolume));
        for (Map.Entry<String, Volume> v : named) {
            if (v.getValue() != null
                    && (v.getValue().getName() == null || v.getValue().getName().isBlank())) {
                return v.getKey() + ".name: required";
            }
        }
        if (containerStartTimeout != null) {
            try {
                Durations.parse(containerStartTimeout);
            } catch (IllegalArgumentException e) {
                return "container-start-timeout: " + e.getMessage();
            }
        }
        return null;
    }

    /** The pod volumes this configuration brings, in the order the original adds them. */
    public List<Volume> volumes() {
        List<Volume> volumes = new ArrayList<>();
        if (hooksVolume != null) {
            volumes.add(hooksVolume);
        }
        additionalHooks.stream().filter(h -> h.volume() != null).forEach(h -> volumes.add(h.volume()));
        if (pluginsVolume != null) {
            volumes.add(pluginsVolume);
        }
        if (signingJwksVolume != null) {
            volumes.add(signingJwksVolume);
        }
        if (verificationJwksVolume != null) {
            volumes.add(verificationJwksVolume);
        }
        return volumes;
    }

    /** Hooks, additional hooks and plugins mounts: what checkout gets. */
    public List<VolumeMount> hookAndPluginMounts() {
        List<VolumeMount> mounts = new ArrayList<>();
        if (hooksVolume != null) {
            mounts.add(mount(hooksVolume, hooksPath != null ? hooksPath : DEFAULT_HOOKS_PATH));
        }
        additionalHooks.stream()
                .filter(h -> h.volume() != null && h.path() != null && !h.path().isEmpty())
                .forEach(h -> mounts.add(mount(h.volume(), h.path())));
        if (pluginsVolume != null) {
            mounts.add(mount(pluginsVolume, pluginsPath != null ? pluginsPath : DEFAULT_PLUGINS_PATH));
        }
        return mounts;
    }

    /** Command containers also get the signing key, because pipeline upload and tool sign run there. */
    public List<VolumeMount> commandMounts() {
        List<VolumeMount> mounts = hookAndPluginMounts();
        if (signingJwksVolume != null) {
            mounts.add(mount(signingJwksVolume, jwksDirectory(signingJwksFile, SIGNING_JWKS_DIR)));
        }
        return mounts;
    }

    /** The agent gets every mount: hooks, plugins, and both signing and verification keys. */
    public List<VolumeMount> agentMounts() {
        List<VolumeMount> mounts = commandMounts();
        if (verificationJwksVolume != null) {
            mounts.add(mount(verificationJwksVolume, jwksDirectory(verificationJwksFile, VERIFICATION_JWKS_DIR)));
        }
        return mounts;
    }

    /**
     * The agent container's variables, in the original's order. Each name either replaces the value of an existing
     * variable where it stands (BUILDKITE_SHELL, BUILDKITE_HOOKS_PATH, BUILDKITE_PLUGINS_PATH) or is appended.
     */
    public List<Map.Entry<String, String>> agentEnv() {
        List<Map.Entry<String, String>> env = new ArrayList<>();
        add(env, "BUILDKITE_AGENT_ENDPOINT", endpoint);
        add(env, "BUILDKITE_NO_HTTP2", noHttp2);
        add(env, "BUILDKITE_AGENT_EXPERIMENT", experiment);
        add(env, "BUILDKITE_SHELL", shell);
        add(env, "BUILDKITE_AGENT_NO_COLOR", noColor);
        add(env, "BUILDKITE_STRICT_SINGLE_HOOKS", strictSingleHooks);
        add(env, "BUILDKITE_NO_MULTIPART_ARTIFACT_UPLOAD", noMultipartArtifactUpload);
        add(env, "BUILDKITE_TRACE_CONTEXT_ENCODING", traceContextEncoding);
        add(env, "BUILDKITE_TRACING_BACKEND", tracingBackend);
        add(env, "BUILDKITE_TRACING_SERVICE_NAME", tracingServiceName);
        add(env, "BUILDKITE_TRACING_PROPAGATE_TRACEPARENT", tracingPropagateTraceparent);
        add(env, "BUILDKITE_AGENT_DISABLE_WARNINGS_FOR", disableWarningsFor);
        add(env, "BUILDKITE_AGENT_DEBUG_SIGNING", debugSigning);
        add(env, "BUILDKITE_GIT_SKIP_FETCH_EXISTING_COMMITS", gitSkipFetchExistingCommits);
        if (containerStartTimeout != null) {
            add(
                    env,
                    "BUILDKITE_KUBERNETES_CONTAINER_START_TIMEOUT",
                    goDuration(Durations.parse(containerStartTimeout)));
        }
        add(
                env,
                "BUILDKITE_HOOKS_PATH",
                hooksPath != null ? hooksPath : hooksVolume != null ? DEFAULT_HOOKS_PATH : null);
        List<String> hookPaths = new ArrayList<>(additionalHooksPaths);
        additionalHooks.stream()
                .filter(h -> h.path() != null && !h.path().isEmpty())
                .forEach(h -> hookPaths.add(h.path()));
        add(env, "BUILDKITE_ADDITIONAL_HOOKS_PATHS", hookPaths);
        add(
                env,
                "BUILDKITE_PLUGINS_PATH",
                pluginsPath != null ? pluginsPath : pluginsVolume != null ? DEFAULT_PLUGINS_PATH : null);
        add(env, "BUILDKITE_NO_PTY", noPty);
        add(env, "BUILDKITE_NO_COMMAND_EVAL", noCommandEval);
        add(env, "BUILDKITE_NO_LOCAL_HOOKS", noLocalHooks);
        add(env, "BUILDKITE_NO_PLUGINS", noPlugins);
        add(env, "BUILDKITE_NO_PLUGIN_VALIDATION", pluginValidation == null ? null : !pluginValidation);
        String signingFile = signingJwksVolume != null ? jwksFile(signingJwksFile, SIGNING_JWKS_DIR) : signingJwksFile;
        add(env, "BUILDKITE_AGENT_SIGNING_JWKS_FILE", signingFile);
        add(env, "BUILDKITE_AGENT_SIGNING_JWKS_KEY_ID", signingJwksKeyId);
        String verificationFile = verificationJwksVolume != null
                ? jwksFile(verificationJwksFile, VERIFICATION_JWKS_DIR)
                : verificationJwksFile;
        add(env, "BUILDKITE_AGENT_VERIFICATION_JWKS_FILE", verificationFile);
        // the agent's default is "block"; "warn" lets teams adopt signed pipelines step by step, as the original does
        add(
                env,
                "BUILDKITE_AGENT_JOB_VERIFICATION_NO_SIGNATURE_BEHAVIOR",
                verificationFile == null && verificationFailureBehavior == null ? "warn" : verificationFailureBehavior);
        return env;
    }

    private static void add(List<Map.Entry<String, String>> env, String name, Object value) {
        if (value == null || value instanceof List<?> l && l.isEmpty()) {
            return;
        }
        String text = value instanceof List<?> l
                ? String.join(",", l.stream().map(String::valueOf).toList())
                : String.valueOf(value);
        env.add(Map.entry(name, text));
    }

    /** A key file: unset is "key"; a relative name lives in the default directory. */
    static String jwksFile(String file, String defaultDir) {
        String f = file == null ? "key" : file;
        return f.startsWith("/") ? f : defaultDir + "/" + f;
    }

    static String jwksDirectory(String file, String defaultDir) {
        String f = jwksFile(file, defaultDir);
        int slash = f.lastIndexOf('/');
        return slash <= 0 ? "/" : f.substring(0, slash);
    }

    private static VolumeMount mount(Volume volume, String path) {
        VolumeMount m = new VolumeMount();
        m.setName(volume.getName());
        m.setMountPath(path);
        return m;
    }

    /** Go's time.Duration.String(): 5m0s, 1h0m0s, 1.5s, 300ms. */
    static String goDuration(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        long nanos = d.abs().toNanos();
        String sign = d.isNegative() ? "-" : "";
        if (nanos < 1_000_000_000L) {
            if (nanos % 1_000_000 == 0) {
                return sign + nanos / 1_000_000 + "ms";
            }
            if (nanos % 1_000 == 0) {
                return sign + nanos / 1_000 + "µs";
            }
            return sign + nanos + "ns";
        }
        long hours = nanos / 3_600_000_000_000L;
        long minutes = nanos / 60_000_000_000L % 60;
        long wholeSeconds = nanos / 1_000_000_000L % 60;
        long fraction = nanos % 1_000_000_000L;
        String seconds =
                wholeSeconds + (fraction == 0 ? "" : ("." + String.format("%09d", fraction)).replaceAll("0+$", ""));
        StringBuilder sb = new StringBuilder(sign);
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            sb.append(minutes).append('m');
        }
        return sb.append(seconds).append('s').toString();
    }
}

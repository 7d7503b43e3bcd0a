package dev.agentstack.podspec;

import dev.agentstack.config.ControllerConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The containers the controller adds to every pod: {@code copy-agent} (puts the agent binary and tini on the
 * workspace), {@code agent} (the only container with the agent token: it acquires the job and hands its environment
 * to the others) and {@code checkout} (clones the repository).
 */
final class SystemContainers {

    static final String COPY_AGENT = "copy-agent";
    static final String AGENT = "agent";
    static final String CHECKOUT = "checkout";
    static final String TOKEN_KEY = "BUILDKITE_AGENT_TOKEN";
    /** The agent v3.136.2 defaults; additional-redacted-vars are appended. */
    static final String REDACTED_VARS = "*_PASSWORD,*_SECRET,*_TOKEN,*_PRIVATE_KEY,*_SSH_KEY,*_ACCESS_KEY,*_SECRET_KEY,"
            + "*_CONNECTION_STRING,*_API_KEY";

    static final String CREDENTIALS_RO = "git-credentials-ro";
    static final String CREDENTIALS = "git-credentials";

    // mkdir -p where the original has plain mkdir: a reused workspace-volume (a shared PVC) already has the folders
    private static final String COPY_AGENT_SCRIPT = """
            mkdir -p /workspace/build /workspace/plugins /workspace/sockets
            chmod 777 /workspace/build /workspace/plugins /workspace/sockets
            cp /usr/local/bin/buildkite-agent /workspace
            # Copy tini-static from wherever it exists
            # Alpine: /sbin/tini-static, Ubuntu/Debian: /usr/bin/tini-static
            if [ -f /sbin/tini-static ]; then
                cp /sbin/tini-static /workspace/tini-static
            elif [ -f /usr/bin/tini-static ]; then
                cp /usr/bin/tini-static /workspace/tini-static
            else
                echo "Error: No tini-static binary found" >&2
                exit 1
            fi
            """;
    private static final String GIT_CREDENTIALS_SETUP = "cp /buildkite/git-credentials-ro/.git-credentials "
            + "/buildkite/git-credentials && git config --global credential.helper "
            + "'store --file /buildkite/git-credentials/.git-credentials'";

    private SystemContainers() {}

    /**
     * copy-agent's pull policy, which agent and checkout start from: it is the container that pulls the agent image.
     */
    static String agentImagePullPolicy(ControllerConfig config) {
        if (!config.defaultImagePullPolicy().isEmpty()) {
            return config.defaultImagePullPolicy();
        }
        return ImageChecks.digestRule(config.image());
    }

    static Container copyAgent(JobInputs in) {
        long uid = in.setupUser();
        long gid = in.setupGroup();
        String chown = uid != 0 ? "chown -R " + uid + (gid != 0 ? ":" + gid : "") + " /workspace\n" : "";
        ContainerBuilder b = new ContainerBuilder()
                .withName(COPY_AGENT)
                .withImage(in.config().image())
                .withImagePullPolicy(agentImagePullPolicy(in.config()))
                .withCommand("/bin/sh")
                .withArgs("-cefx", "\n" + chown + COPY_AGENT_SCRIPT)
                .withVolumeMounts(Mounts.concat(List.of(in.workspaceMount())));
        if (uid != 0) {
            b.withSecurityContext(rootSecurityContext()); // chown of the workspace needs root
        }
        return b.build();
    }

    static Container agent(JobInputs in, int containerCount) {
        ControllerConfig config = in.config();
        int grace = in.terminationGracePeriodSeconds();
        int signalGrace = Math.max(0, grace - 10); // SIGTERM to SIGKILL; the last 10s are the agent's own
        List<EnvVar> env = new ArrayList<>(List.of(
                value("BUILDKITE_KUBERNETES_EXEC", "true"),
                value("BUILDKITE_CONTAINER_COUNT", String.valueOf(containerCount)),
                value("BUILDKITE_AGENT_TAGS", agentTags(in)),
                fieldRef("BUILDKITE_K8S_NODE", "spec.nodeName"),
                fieldRef("BUILDKITE_K8S_NAMESPACE", "metadata.namespace"),
                fieldRef("BUILDKITE_K8S_SERVICE_ACCOUNT", "spec.serviceAccountName"),
                value("BUILDKITE_BUILD_PATH", "/workspace/build"),
                value("BUILDKITE_HOOKS_PATH", AgentConfig.DEFAULT_HOOKS_PATH),
                value("BUILDKITE_PLUGINS_PATH", AgentConfig.DEFAULT_PLUGINS_PATH),
                value("BUILDKITE_SOCKETS_PATH", "/workspace/sockets/agent"),
                value("BUILDKITE_SHELL", "/bin/sh -ec"),
                new EnvVarBuilder()
                        .withName(TOKEN_KEY)
                        .withNewValueFrom()
                        .withNewSecretKeyRef(TOKEN_KEY, config.agentTokenSecret(), null)
                        .endValueFrom()
                        .build(),
                value("BUILDKITE_AGENT_ACQUIRE_JOB", in.job().uuid()),
                value("BUILDKITE_REDACTED_VARS", redactedVars(config)),
                value("BUILDKITE_CANCEL_GRACE_PERIOD", String.valueOf(Math.max(grace, 1))),
                value("BUILDKITE_SIGNAL_GRACE_PERIOD_SECONDS", String.valueOf(signalGrace))));
        if (readsCancelTimeouts(config.image())) {
            // Agent v4 ignores the pair above and reads these: the same signal time, and the rest of the grace period
            // for its clean-up, so the agent is done before the kubelet kills the pod.
            env.add(value("BUILDKITE_CANCEL_SIGNAL_TIMEOUT", signalGrace + "s"));
            env.add(value("BUILDKITE_CANCEL_CLEANUP_TIMEOUT", (Math.max(grace, 1) - signalGrace) + "s"));
        }
        AgentConfig agentConfig = in.agentConfig();
        if (agentConfig != null) {
            agentConfig.agentEnv().forEach(e -> set(env, e.getKey(), e.getValue()));
        }
        // checkout settings reach checkout through the agent, which passes them on over the socket
        checkoutEnv(in.defaultCheckout()).forEach(e -> set(env, e.getKey(), e.getValue()));
        checkoutEnv(in.plugin().checkout()).forEach(e -> set(env, e.getKey(), e.getValue()));
        Container agent = new ContainerBuilder()
                .withName(AGENT)
                .withImage(config.image())
                .withImagePullPolicy(agentImagePullPolicy(config))
                .withArgs("start")
                .withWorkingDir(CommandContainers.WORKSPACE)
                .withVolumeMounts(
                        Mounts.concat(in.sharedMounts(), agentConfig == null ? List.of() : agentConfig.agentMounts()))
                .build();
        agent.setEnv(env); // its own new variables: the builder would copy each one through a builder of its own
        return agent;
    }

    /**
     * Whether the agent image is agent v4 or later by its tag. v3 ignores unknown variables, but the v3 layout stays
     * exactly the original's; a tag without a version (latest, a digest alone) counts as v3.
     */
    static boolean readsCancelTimeouts(String image) {
        try {
            return ImageReference.parse(image).tagMajorVersion() >= 4;
        } catch (IllegalArgumentException invalid) {
            return false; // the image check reports it
        }
    }

    static Container checkout(JobInputs in) {
        CheckoutParams defaults = in.defaultCheckout();
        CheckoutParams plugin = in.plugin().checkout();
        AgentConfig agentConfig = in.agentConfig();
        List<VolumeMount> mounts = Mounts.concat(
                in.sharedMounts(),
                agentConfig == null ? List.of() : agentConfig.hookAndPluginMounts(),
                mirrorsMount(defaults),
                defaults.extraVolumeMounts(),
                mirrorsMount(plugin),
                plugin.extraVolumeMounts());
        boolean credentials = gitCredentialsSecret(in) != null;
        if (credentials) {
            mounts.add(new VolumeMount("/buildkite/git-credentials-ro", null, CREDENTIALS_RO, null, null, null, null));
            mounts.add(new VolumeMount("/buildkite/git-credentials", null, CREDENTIALS, null, null, null, null));
        }
        List<EnvFromSource> envFrom = new ArrayList<>(defaults.envFrom());
        envFrom.addAll(plugin.envFrom());
        envFrom.addAll(in.plugin().gitEnvFrom());
        ContainerBuilder b = new ContainerBuilder()
                .withName(CHECKOUT)
                .withImage(in.config().image())
                .withImagePullPolicy(agentImagePullPolicy(in.config()))
                .withCommand("/bin/sh", "-c")
                .withArgs(checkoutScript(in.setupUser(), in.setupGroup(), credentials))
                .withWorkingDir(CommandContainers.WORKSPACE)
                .withEnv(
                        value("BUILDKITE_BOOTSTRAP_PHASES", "plugin,checkout"),
                        value("BUILDKITE_CONTAINER_ID", "0"),
                        value("BUILDKITE_SOCKETS_PATH", "/workspace/sockets/checkout"))
                .withEnvFrom(envFrom)
                .withVolumeMounts(mounts);
        if (in.setupUser() != 0) {
            b.withSecurityContext(rootSecurityContext()); // it creates the user it then runs as
        }
        return b.build();
    }

    /** The volumes checkout needs: git mirrors (the controller's, then the plugin's) and the credentials pair. */
    static List<Volume> checkoutVolumes(JobInputs in) {
        List<Volume> volumes = new ArrayList<>();
        for (CheckoutParams p : List.of(in.defaultCheckout(), in.plugin().checkout())) {
            if (p.gitMirrors() != null && p.gitMirrors().volume() != null) {
                volumes.add(new VolumeBuilder(p.gitMirrors().volume()).build());
            }
        }
        SecretVolumeSource secret = gitCredentialsSecret(in);
        if (secret != null) {
            volumes.add(new VolumeBuilder()
                    .withName(CREDENTIALS_RO)
                    .withSecret(secret)
                    .build());
            volumes.add(new VolumeBuilder()
                    .withName(CREDENTIALS)
                    .withNewEmptyDir()
                    .withMedium("Memory")
                    .endEmptyDir()
                    .build());
        }
        return volumes;
    }

    /** The plugin's secret replaces the controller's default. */
    private static SecretVolumeSource gitCredentialsSecret(JobInputs in) {
        SecretVolumeSource plugin = in.plugin().checkout().gitCredentialsSecret();
        return plugin != null ? plugin : in.defaultCheckout().gitCredentialsSecret();
    }

    private static List<VolumeMount> mirrorsMount(CheckoutParams p) {
        if (p.gitMirrors() == null || p.gitMirrors().volume() == null) {
            return List.of();
        }
        return List.of(new VolumeMount(
                p.gitMirrors().effectivePath(), null, p.gitMirrors().volume().getName(), null, null, null, null));
    }

    static String checkoutScript(long uid, long gid, boolean credentials) {
        String gitSetup = credentials ? GIT_CREDENTIALS_SETUP : "true";
        if (uid == 0) {
            return "set -exuf\n" + gitSetup + "\nbuildkite-agent-entrypoint kubernetes-bootstrap";
        }
        boolean rootGroup = gid == 0;
        String group = rootGroup ? "root" : "buildkite-agent";
        // the image may be Alpine (BusyBox adduser) or glibc-based (useradd); create the job's user either way
        return "set -exuf\n"
                + "# Portable user/group creation\n"
                + "if command -v adduser >/dev/null 2>&1 && adduser --help 2>&1 | grep -q BusyBox; then\n"
                + (rootGroup ? "" : "    addgroup -g " + gid + " buildkite-agent 2>/dev/null || true\n")
                + "    adduser -D -u " + uid + " -G " + group + " -h /workspace buildkite-agent\n"
                + "elif command -v useradd >/dev/null 2>&1; then\n"
                + (rootGroup ? "" : "    groupadd -g " + gid + " buildkite-agent 2>/dev/null || true\n")
                + "    useradd -M -u " + uid + " -g " + group + " -d /workspace -s /bin/sh buildkite-agent\n"
                + "else\n"
                + "    echo \"Error: No supported user creation tool found\" >&2\n"
                + "    exit 1\n"
                + "fi\n"
                + "su buildkite-agent -c \"" + gitSetup + " && buildkite-agent-entrypoint kubernetes-bootstrap\"";
    }

    /** The agent env a set of checkout parameters adds, in the original's order; unset fields add nothing. */
    static List<Map.Entry<String, String>> checkoutEnv(CheckoutParams p) {
        List<Map.Entry<String, String>> env = new ArrayList<>();
        put(env, "BUILDKITE_GIT_CHECKOUT_FLAGS", p.checkoutFlags());
        put(env, "BUILDKITE_GIT_CLEAN_FLAGS", p.cleanFlags());
        put(env, "BUILDKITE_GIT_CLONE_FLAGS", p.cloneFlags());
        put(env, "BUILDKITE_GIT_FETCH_FLAGS", p.fetchFlags());
        put(env, "BUILDKITE_NO_GIT_SUBMODULES", p.noSubmodules());
        if (!p.submoduleCloneConfig().isEmpty()) {
            put(env, "BUILDKITE_GIT_SUBMODULE_CLONE_CONFIG", String.join(",", p.submoduleCloneConfig()));
        }
        if (p.gitMirrors() != null) {
            put(env, "BUILDKITE_GIT_MIRRORS_PATH", p.gitMirrors().effectivePath());
            put(env, "BUILDKITE_GIT_CLONE_MIRROR_FLAGS", p.gitMirrors().cloneFlags());
            if (p.gitMirrors().lockTimeout() != null && p.gitMirrors().lockTimeout() > 0) {
                put(env, "BUILDKITE_GIT_MIRRORS_LOCK_TIMEOUT", p.gitMirrors().lockTimeout());
            }
            put(env, "BUILDKITE_GIT_MIRRORS_SKIP_UPDATE", p.gitMirrors().skipUpdate());
        }
        return env;
    }

    private static void put(List<Map.Entry<String, String>> env, String name, Object value) {
        if (value != null) {
            env.add(Map.entry(name, String.valueOf(value)));
        }
    }

    /** The version tag first, then the job's tags in the job's order (the original's Go map order was random). */
    private static String agentTags(JobInputs in) {
        List<String> tags = new ArrayList<>();
        tags.add("k8s:agent-stack-version=v" + in.version());
        for (String rule : in.job().agentQueryRules()) {
            if (rule.indexOf('=') > 0) {
                tags.add(rule);
            }
        }
        return String.join(",", tags);
    }

    private static String redactedVars(ControllerConfig config) {
        List<String> all = new ArrayList<>(List.of(REDACTED_VARS));
        all.addAll(config.additionalRedactedVars());
        return String.join(",", all);
    }

    /** Replaces the value of an existing variable where it stands, or appends a new one. */
    static void set(List<EnvVar> env, String name, String value) {
        for (int i = 0; i < env.size(); i++) {
            if (env.get(i).getName().equals(name)) {
                env.set(i, value(name, value));
                return;
            }
        }
        env.add(value(name, value));
    }

    static EnvVar value(String name, String value) {
        return new EnvVar(name, value, null);
    }

    private static EnvVar fieldRef(String name, String path) {
        EnvVarSource source = new EnvVarSource();
        source.setFieldRef(new ObjectFieldSelector(null, path));
        return new EnvVar(name, null, source);
    }

    private static SecurityContext rootSecurityContext() {
        return new SecurityContextBuilder()
                .withRunAsUser(0L)
                .withRunAsGroup(0L)
                .withRunAsNonRoot(false)
                .build();
    }
}

package dev.agentstack.podspec;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.List;

/**
 * The containers that run the job's command ({@code container-N}), and the plugin's sidecars. A command container
 * keeps the user's image and settings but runs {@code buildkite-agent kubernetes-bootstrap}, which takes its command
 * from BUILDKITE_COMMAND and the rest of the job's environment from the agent container over a socket.
 */
final class CommandContainers {

    /** The variable that carries the job command, and so marks a command container. */
    static final String COMMAND_ENV = "BUILDKITE_COMMAND";

    static final List<String> ENTRYPOINT = List.of("/workspace/tini-static");
    static final List<String> BOOTSTRAP_ARGS = List.of("--", "/workspace/buildkite-agent", "kubernetes-bootstrap");
    static final String WORKSPACE = "/workspace";

    private CommandContainers() {}

    /** One command container per container of the base pod spec, or the default {@code container-0}. */
    static List<Container> build(JobInputs in) {
        List<Container> user =
                in.base().getContainers() == null ? List.of() : in.base().getContainers();
        List<Container> out = new ArrayList<>();
        if (user.isEmpty()) {
            out.add(defaultContainer(in));
            return out;
        }
        for (int i = 0; i < user.size(); i++) {
            Container c = user.get(i);
            String name = blank(c.getName()) ? "container-" + i : c.getName();
            String command = c.getCommand() != null && !c.getCommand().isEmpty()
                    ? in.interposer().command(c.getCommand(), c.getArgs())
                    : in.job().command(); // a container without a command runs the step's; its args are ignored
            List<EnvVar> env = new ArrayList<>(c.getEnv() == null ? List.of() : c.getEnv());
            env.addAll(bootstrapEnv(name, command, i + in.firstCommandId()));
            out.add(new ContainerBuilder(c)
                    .withName(name)
                    .withCommand(ENTRYPOINT)
                    .withArgs(BOOTSTRAP_ARGS)
                    .withWorkingDir(blank(c.getWorkingDir()) ? WORKSPACE : c.getWorkingDir())
                    .withEnv(env)
                    .withEnvFrom(envFrom(c.getEnvFrom(), in))
                    .withVolumeMounts(Mounts.concat(
                            c.getVolumeMounts(),
                            agentConfigMounts(in),
                            in.config().defaultCommandParams().extraVolumeMounts(),
                            pluginParams(in).extraVolumeMounts(),
                            in.sharedMounts()))
                    .build());
        }
        return out;
    }

    private static Container defaultContainer(JobInputs in) {
        return new ContainerBuilder()
                .withName("container-0")
                .withImage(in.config().image())
                .withCommand(ENTRYPOINT)
                .withArgs(BOOTSTRAP_ARGS)
                .withWorkingDir(WORKSPACE)
                .withEnv(bootstrapEnv("container-0", in.job().command(), in.firstCommandId()))
                .withEnvFrom(envFrom(List.of(), in))
                .withVolumeMounts(Mounts.concat(
                        in.sharedMounts(),
                        agentConfigMounts(in),
                        in.config().defaultCommandParams().extraVolumeMounts(),
                        pluginParams(in).extraVolumeMounts()))
                .build();
    }

    /**
     * The plugin's sidecars, as native sidecars (init containers that keep running); named {@code sidecar-N} by
     * default.
     */
    static List<Container> sidecars(JobInputs in) {
        List<Container> out = new ArrayList<>();
        List<Container> sidecars = in.plugin().sidecars();
        SidecarParams defaults = in.config().defaultSidecarParams();
        SidecarParams plugin = in.plugin().sidecarParams();
        for (int i = 0; i < sidecars.size(); i++) {
            Container c = sidecars.get(i);
            List<EnvFromSource> envFrom = new ArrayList<>(c.getEnvFrom() == null ? List.of() : c.getEnvFrom());
            envFrom.addAll(defaults.envFrom());
            envFrom.addAll(plugin.envFrom());
            envFrom.addAll(in.plugin().gitEnvFrom());
            out.add(new ContainerBuilder(c)
                    .withName(sidecarName(c, i))
                    .withRestartPolicy("Always")
                    .withEnvFrom(envFrom)
                    .withVolumeMounts(Mounts.concat(
                            c.getVolumeMounts(),
                            defaults.extraVolumeMounts(),
                            in.sharedMounts(),
                            plugin.extraVolumeMounts()))
                    .build());
        }
        return out;
    }

    static String sidecarName(Container c, int index) {
        return blank(c.getName()) ? "sidecar-" + index : c.getName();
    }

    /** A container that runs the job's command: it has BUILDKITE_COMMAND (patch-added ones included). */
    static boolean isCommandContainer(Container c) {
        return c.getEnv() != null && c.getEnv().stream().anyMatch(e -> COMMAND_ENV.equals(e.getName()));
    }

    /** The variables kubernetes-bootstrap needs to find its place; everything else comes from the agent. */
    private static List<EnvVar> bootstrapEnv(String name, String command, int containerId) {
        return List.of(
                new EnvVar("BUILDKITE_BOOTSTRAP_PHASES", "plugin,command", null),
                new EnvVar(COMMAND_ENV, command, null),
                new EnvVar("BUILDKITE_CONTAINER_ID", String.valueOf(containerId), null),
                new EnvVar("BUILDKITE_SOCKETS_PATH", "/workspace/sockets/" + name, null));
    }

    private static List<EnvFromSource> envFrom(List<EnvFromSource> own, JobInputs in) {
        List<EnvFromSource> out = new ArrayList<>(own == null ? List.of() : own);
        out.addAll(in.config().defaultCommandParams().envFrom());
        out.addAll(pluginParams(in).envFrom());
        out.addAll(in.plugin().gitEnvFrom());
        return out;
    }

    private static List<VolumeMount> agentConfigMounts(JobInputs in) {
        AgentConfig agentConfig = in.agentConfig();
        return agentConfig == null ? List.of() : agentConfig.commandMounts();
    }

    private static CommandParams pluginParams(JobInputs in) {
        return in.plugin().commandParams();
    }

    static boolean blank(String s) {
        return s == null || s.isEmpty();
    }
}

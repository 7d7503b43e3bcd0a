package dev.agentstack.podspec;

import static dev.agentstack.podspec.Jobs.build;
import static dev.agentstack.podspec.Jobs.config;
import static dev.agentstack.podspec.Jobs.container;
import static dev.agentstack.podspec.Jobs.env;
import static dev.agentstack.podspec.Jobs.envFrom;
import static dev.agentstack.podspec.Jobs.envValue;
import static dev.agentstack.podspec.Jobs.failure;
import static dev.agentstack.podspec.Jobs.initContainer;
import static dev.agentstack.podspec.Jobs.job;
import static dev.agentstack.podspec.Jobs.mounts;
import static dev.agentstack.podspec.Jobs.names;
import static dev.agentstack.podspec.Jobs.pod;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentstack.buildkite.BuildkiteJob;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.kubernetes.JobLabels;
import dev.agentstack.runtime.Version;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The builder, container by container and option by option (the original's scheduler tests and more). */
class PodSpecBuilderTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String AGENT_IMAGE = "ghcr.io/buildkite/agent:3.136.2";
    private static final String EXAMPLE_PLUGIN =
            "{podSpec: {containers: [{image: alpine, command: [echo, hi]}]}, checkout: {cloneFlags: --depth 1}}";

    @Test
    void buildsTheWorkedExampleOfTheSpecification() throws Exception {
        ControllerConfig helmDefaults = config(
                Options.ID,
                "agent-stack-k8s",
                Options.AGENT_TOKEN_SECRET,
                "agent-stack-k8s-secrets",
                Options.NAMESPACE,
                "buildkite");
        Job job = build(job(EXAMPLE_PLUGIN), helmDefaults);
        String expected = Files.readString(Path.of("src/test/resources/podspec/worked-example.yaml"))
                .replace("${version}", Version.get());
        assertThat(YAML.readTree(JobYaml.write(job))).isEqualTo(YAML.readTree(expected));
    }

    @Test
    void theSameInputGivesTheSameBytes() {
        String plugin = "{podSpec: {containers: [{image: a}, {image: b}, {image: a}]}, sidecars: [{image: c}], "
                + "metadata: {labels: {z: '1', a: '2'}, annotations: {y: '1', b: '2'}}}";
        BuildkiteJob job = new BuildkiteJob(
                null,
                Jobs.UUID,
                "x",
                List.of("queue=kubernetes", "os=linux", "arch=arm64"),
                0,
                null,
                job(plugin).env());
        String first = JobYaml.write(build(job, config()));
        for (int i = 0; i < 5; i++) {
            assertThat(JobYaml.write(build(job, config()))).isEqualTo(first);
        }
        assertThat(first)
                .contains("k8s:agent-stack-version=v" + Version.get() + ",queue=kubernetes,os=linux,arch=arm64");
        Job built = build(job, config());
        assertThat(names(pod(built).getInitContainers()))
                .containsExactly("copy-agent", "imagecheck-0", "imagecheck-1", "sidecar-0");
        assertThat(initContainer(built, "imagecheck-0").getImage()).isEqualTo("a");
        assertThat(initContainer(built, "imagecheck-1").getImage()).isEqualTo("b");
    }

    @Nested
    class Layout {

        @Test
        void defaultContainerRunsTheStepCommand() {
            Job job = build(null);
            assertThat(names(pod(job).getContainers())).containsExactly("container-0", "agent", "checkout");
            assertThat(names(pod(job).getInitContainers())).containsExactly("copy-agent");
            Container c = container(job, "container-0");
            assertThat(c.getImage()).isEqualTo(AGENT_IMAGE);
            assertThat(c.getCommand()).containsExactly("/workspace/tini-static");
            assertThat(c.getArgs()).containsExactly("--", "/workspace/buildkite-agent", "kubernetes-bootstrap");
            assertThat(c.getWorkingDir()).isEqualTo("/workspace");
            assertThat(env(c))
                    .containsExactly(
                            "BUILDKITE_BOOTSTRAP_PHASES=plugin,command",
                            "BUILDKITE_COMMAND=echo hi",
                            "BUILDKITE_CONTAINER_ID=1",
                            "BUILDKITE_SOCKETS_PATH=/workspace/sockets/container-0");
            assertThat(mounts(c)).containsExactly("workspace@/workspace");
            assertThat(pod(job).getRestartPolicy()).isEqualTo("Never");
            assertThat(pod(job).getTerminationGracePeriodSeconds()).isEqualTo(60L);
        }

        @Test
        void userContainersBecomeCommandContainers() {
            Job job = build("{podSpec: {containers: ["
                    + "{image: alpine, command: [hello world a=b=c], env: [{name: MINE, value: x}], envFrom:"
                    + " [{configMapRef: {name: some-configmap}}]},"
                    + "{name: second, image: debian, args: [ignored], workingDir: /src, volumeMounts: [{name: src,"
                    + " mountPath: /src}]}],"
                    + "volumes: [{name: src, emptyDir: {}}]},"
                    + "gitEnvFrom: [{secretRef: {name: git-secret}}]}");
            assertThat(names(pod(job).getContainers())).containsExactly("container-0", "second", "agent", "checkout");
            Container first = container(job, "container-0");
            assertThat(env(first))
                    .containsExactly(
                            "MINE=x",
                            "BUILDKITE_BOOTSTRAP_PHASES=plugin,command",
                            "BUILDKITE_COMMAND=hello world a=b=c",
                            "BUILDKITE_CONTAINER_ID=1",
                            "BUILDKITE_SOCKETS_PATH=/workspace/sockets/container-0");
            assertThat(envFrom(first)).containsExactly("configMap:some-configmap", "secret:git-secret");
            Container second = container(job, "second");
            assertThat(envValue(second, "BUILDKITE_COMMAND"))
                    .as("no command: the step's, args ignored")
                    .isEqualTo("echo hi");
            assertThat(envValue(second, "BUILDKITE_CONTAINER_ID")).isEqualTo("2");
            assertThat(envValue(second, "BUILDKITE_SOCKETS_PATH")).isEqualTo("/workspace/sockets/second");
            assertThat(second.getArgs()).containsExactly("--", "/workspace/buildkite-agent", "kubernetes-bootstrap");
            assertThat(second.getWorkingDir()).isEqualTo("/src");
            assertThat(mounts(second)).containsExactly("src@/src", "workspace@/workspace");
            assertThat(envValue(container(job, "agent"), "BUILDKITE_CONTAINER_COUNT"))
                    .isEqualTo("3");
        }

        @Test
        void theAgentAloneHoldsTheTokenAsASecretReference() {
            Job job = build(
                    "{podSpec: {containers: [{image: alpine, env: [{name: A, value: b}]}]}}",
                    Options.AGENT_TOKEN_SECRET,
                    "token-secret",
                    Options.ADDITIONAL_REDACTED_VARS,
                    List.of("*_MINE"));
            Container agent = container(job, "agent");
            assertThat(agent.getCommand()).isEmpty();
            assertThat(agent.getArgs()).containsExactly("start");
            assertThat(env(agent))
                    .containsExactly(
                            "BUILDKITE_KUBERNETES_EXEC=true",
                            "BUILDKITE_CONTAINER_COUNT=2",
                            "BUILDKITE_AGENT_TAGS=k8s:agent-stack-version=v" + Version.get() + ",queue=kubernetes",
                            "BUILDKITE_K8S_NODE=<field spec.nodeName>",
                            "BUILDKITE_K8S_NAMESPACE=<field metadata.namespace>",
                            "BUILDKITE_K8S_SERVICE_ACCOUNT=<field spec.serviceAccountName>",
                            "BUILDKITE_BUILD_PATH=/workspace/build",
                            "BUILDKITE_HOOKS_PATH=/workspace/hooks",
                            "BUILDKITE_PLUGINS_PATH=/workspace/plugins",
                            "BUILDKITE_SOCKETS_PATH=/workspace/sockets/agent",
                            "BUILDKITE_SHELL=/bin/sh -ec",
                            "BUILDKITE_AGENT_TOKEN=<secret token-secret/BUILDKITE_AGENT_TOKEN>",
                            "BUILDKITE_AGENT_ACQUIRE_JOB=" + Jobs.UUID,
                            "BUILDKITE_REDACTED_VARS=" + SystemContainers.REDACTED_VARS + ",*_MINE",
                            "BUILDKITE_CANCEL_GRACE_PERIOD=60",
                            "BUILDKITE_SIGNAL_GRACE_PERIOD_SECONDS=50");
            for (Container c : pod(job).getContainers()) {
                if (!c.getName().equals("agent")) {
                    assertThat(c.getEnv())
                            .as(c.getName())
                            .noneMatch(e -> e.getName().equals("BUILDKITE_AGENT_TOKEN"));
                    assertThat(c.getEnv())
                            .as("job env is not written into " + c.getName())
                            .noneMatch(e -> e.getName().equals("BUILDKITE_BUILD_URL"));
                }
            }
        }

        @Test
        void checkoutRunsTheBootstrapWithTheCheckoutPhase() {
            Container checkout = container(build(null), "checkout");
            assertThat(checkout.getCommand()).containsExactly("/bin/sh", "-c");
            assertThat(checkout.getArgs())
                    .containsExactly("set -exuf\ntrue\nbuildkite-agent-entrypoint kubernetes-bootstrap");
            assertThat(env(checkout))
                    .containsExactly(
                            "BUILDKITE_BOOTSTRAP_PHASES=plugin,checkout",
                            "BUILDKITE_CONTAINER_ID=0",
                            "BUILDKITE_SOCKETS_PATH=/workspace/sockets/checkout");
            assertThat(checkout.getSecurityContext()).isNull();
        }

        @Test
        void aNonRootPodGetsChownAndAUserInCheckout() {
            Job job = build(
                    "{podSpec: {securityContext: {runAsUser: 1000, runAsGroup: 2000}, containers: [{image: alpine}]}}");
            Container copyAgent = initContainer(job, "copy-agent");
            assertThat(copyAgent.getArgs().get(1)).startsWith("\nchown -R 1000:2000 /workspace\nmkdir -p ");
            assertThat(copyAgent.getSecurityContext().getRunAsUser()).isZero();
            Container checkout = container(job, "checkout");
            assertThat(checkout.getSecurityContext().getRunAsNonRoot()).isFalse();
            assertThat(checkout.getArgs().get(0))
                    .contains(
                            "addgroup -g 2000 buildkite-agent",
                            "adduser -D -u 1000 -G buildkite-agent -h /workspace buildkite-agent",
                            "useradd -M -u 1000 -g buildkite-agent -d /workspace -s /bin/sh buildkite-agent")
                    .endsWith("su buildkite-agent -c \"true && buildkite-agent-entrypoint kubernetes-bootstrap\"");
            Job rootGroup = build("{podSpec: {securityContext: {runAsUser: 1000}, containers: [{image: alpine}]}}");
            assertThat(initContainer(rootGroup, "copy-agent").getArgs().get(1))
                    .startsWith("\nchown -R 1000 /workspace\n");
            assertThat(container(rootGroup, "checkout").getArgs().get(0))
                    .doesNotContain("addgroup")
                    .contains("-G root", "-g root");
        }

        @Test
        void copyAgentFillsTheWorkspace() {
            Container copyAgent = initContainer(build(null), "copy-agent");
            assertThat(copyAgent.getCommand()).containsExactly("/bin/sh");
            assertThat(copyAgent.getArgs().get(0)).isEqualTo("-cefx");
            assertThat(copyAgent.getArgs().get(1))
                    .startsWith("\nmkdir -p /workspace/build /workspace/plugins /workspace/sockets\n")
                    .endsWith("fi\n");
            assertThat(mounts(copyAgent)).containsExactly("workspace@/workspace");
            assertThat(copyAgent.getEnv()).isEmpty();
        }

        @Test
        void sidecarsAreNativeSidecarsWithTheSharedMounts() {
            Job job = build(
                    "{sidecars: [{image: nginx, envFrom: [{secretRef: {name: own}}]}, {name: db, image: postgres}],"
                            + "sidecarParams: {envFrom: [{secretRef: {name: plugin}}], extraVolumeMounts: [{name: p,"
                            + " mountPath: /p}]},"
                            + "gitEnvFrom: [{secretRef: {name: git}}], extraVolumeMounts: [{name: x, mountPath: /x}],"
                            + "podSpec: {volumes: [{name: p, emptyDir: {}}, {name: x, emptyDir: {}}, {name: d,"
                            + " emptyDir: {}}]}}",
                    Options.DEFAULT_SIDECAR_PARAMS,
                    "{envFrom: [{secretRef: {name: default}}], extraVolumeMounts: [{name: d, mountPath: /d}]}");
            assertThat(names(pod(job).getInitContainers()))
                    .as("the agent image needs no check")
                    .containsExactly("copy-agent", "sidecar-0", "db");
            Container sidecar = initContainer(job, "sidecar-0");
            assertThat(sidecar.getRestartPolicy()).isEqualTo("Always");
            assertThat(envFrom(sidecar)).containsExactly("secret:own", "secret:default", "secret:plugin", "secret:git");
            assertThat(mounts(sidecar)).containsExactly("d@/d", "workspace@/workspace", "x@/x", "p@/p");
            assertThat(sidecar.getEnv()).isEmpty();
            assertThat(sidecar.getImagePullPolicy()).isNull();
            assertThat(job.getMetadata().getAnnotations())
                    .containsEntry("buildkite.com/sidecar-0", "sidecar-0")
                    .containsEntry("buildkite.com/sidecar-1", "db");
            assertThat(envValue(container(job, "agent"), "BUILDKITE_CONTAINER_COUNT"))
                    .as("sidecars are not counted")
                    .isEqualTo("2");
        }

        @Test
        void userInitContainersComeAfterTheChecksAndAreLeftAlone() {
            Job job = build("{podSpec: {initContainers: [{name: setup, image: busybox, command: [sh, -c, 'true']}],"
                    + " containers: [{image: alpine}]}}");
            assertThat(names(pod(job).getInitContainers())).containsExactly("copy-agent", "imagecheck-0", "setup");
            Container setup = initContainer(job, "setup");
            assertThat(setup.getCommand()).containsExactly("sh", "-c", "true");
            assertThat(setup.getVolumeMounts()).isEmpty();
            assertThat(setup.getImagePullPolicy()).isNull();
        }
    }

    @Nested
    class Options_ {

        @Test
        void extraVolumeMountsGoToEveryContainerButInitContainers() {
            Job job = build("{extraVolumeMounts: [{name: cache, mountPath: /cache}], podSpec: {volumes: [{name: cache,"
                    + " emptyDir: {}}],"
                    + " containers: [{image: alpine}]}}");
            for (String name : List.of("container-0", "agent", "checkout")) {
                assertThat(mounts(container(job, name))).as(name).contains("cache@/cache");
            }
            assertThat(mounts(initContainer(job, "copy-agent"))).containsExactly("workspace@/workspace");
        }

        @Test
        void commandParamsAppendAfterTheControllersAndPickTheInterposer() {
            Job job = build(
                    "{commandParams: {interposer: vector, envFrom: [{secretRef: {name: plugin}}],"
                            + " extraVolumeMounts: [{name: p, mountPath: /p}]},"
                            + " podSpec: {volumes: [{name: p, emptyDir: {}}, {name: d, emptyDir: {}}],"
                            + " containers: [{image: alpine, command: [echo, hi]}]}}",
                    Options.DEFAULT_COMMAND_PARAMS,
                    "{interposer: legacy, envFrom: [{secretRef: {name: default}}],"
                            + " extraVolumeMounts: [{name: d, mountPath: /d}]}");
            Container c = container(job, "container-0");
            assertThat(envValue(c, "BUILDKITE_COMMAND")).isEqualTo("echo hi");
            assertThat(envFrom(c)).containsExactly("secret:default", "secret:plugin");
            assertThat(mounts(c)).containsExactly("d@/d", "p@/p", "workspace@/workspace");
            Job controllerInterposer = build(
                    "{podSpec: {containers: [{image: alpine, command: [echo, 'a b']}]},"
                            + " commandParams: {interposer: ''}}",
                    Options.DEFAULT_COMMAND_PARAMS,
                    "{interposer: legacy}");
            assertThat(envValue(container(controllerInterposer, "container-0"), "BUILDKITE_COMMAND"))
                    .isEqualTo("echo a b");
        }

        @Test
        void defaultContainerMountsTheSharedMountsFirst() {
            Job job = build("{extraVolumeMounts: [{name: x, mountPath: /x}], commandParams: {extraVolumeMounts:"
                    + " [{name: p, mountPath: /p}]},"
                    + " podSpec: {volumes: [{name: x, emptyDir: {}}, {name: p, emptyDir: {}}]}}");
            assertThat(mounts(container(job, "container-0"))).containsExactly("workspace@/workspace", "x@/x", "p@/p");
        }

        static Stream<Arguments> checkoutParams() {
            return Stream.of(
                    Arguments.of("{checkoutFlags: -f}", List.of("BUILDKITE_GIT_CHECKOUT_FLAGS=-f")),
                    Arguments.of("{cleanFlags: -ffxdq}", List.of("BUILDKITE_GIT_CLEAN_FLAGS=-ffxdq")),
                    Arguments.of("{cloneFlags: --depth 1}", List.of("BUILDKITE_GIT_CLONE_FLAGS=--depth 1")),
                    Arguments.of("{fetchFlags: -v --prune}", List.of("BUILDKITE_GIT_FETCH_FLAGS=-v --prune")),
                    Arguments.of("{noSubmodules: true}", List.of("BUILDKITE_NO_GIT_SUBMODULES=true")),
                    Arguments.of(
                            "{submoduleCloneConfig: [a=b, c=d]}",
                            List.of("BUILDKITE_GIT_SUBMODULE_CLONE_CONFIG=a=b,c=d")),
                    Arguments.of("{submoduleCloneConfig: []}", List.of()),
                    Arguments.of("{}", List.of()),
                    Arguments.of(
                            "{gitMirrors: {path: /m, cloneFlags: --bare, lockTimeout: 30, skipUpdate: true}}",
                            List.of(
                                    "BUILDKITE_GIT_MIRRORS_PATH=/m", "BUILDKITE_GIT_CLONE_MIRROR_FLAGS=--bare",
                                    "BUILDKITE_GIT_MIRRORS_LOCK_TIMEOUT=30", "BUILDKITE_GIT_MIRRORS_SKIP_UPDATE=true")),
                    Arguments.of(
                            "{gitMirrors: {volume: {name: mirrors, emptyDir: {}}, lockTimeout: 0}}",
                            List.of("BUILDKITE_GIT_MIRRORS_PATH=/buildkite/git-mirrors")));
        }

        @ParameterizedTest
        @MethodSource("checkoutParams")
        void checkoutParamsBecomeAgentEnv(String checkout, List<String> expected) {
            Container agent = container(build("{checkout: " + checkout + "}"), "agent");
            List<String> env = env(agent);
            assertThat(env.subList(16, env.size())).containsExactlyElementsOf(expected);
            Container fromDefault = container(build(null, Options.DEFAULT_CHECKOUT_PARAMS, checkout), "agent");
            assertThat(env(fromDefault).subList(16, env(fromDefault).size())).containsExactlyElementsOf(expected);
        }

        @Test
        void pluginCheckoutParamsWinFieldByFieldInPlace() {
            Container agent = container(
                    build(
                            "{checkout: {fetchFlags: plugin}}",
                            Options.DEFAULT_CHECKOUT_PARAMS,
                            "{cloneFlags: default-clone, fetchFlags: default-fetch}"),
                    "agent");
            List<String> env = env(agent);
            assertThat(env.subList(16, env.size()))
                    .containsExactly("BUILDKITE_GIT_CLONE_FLAGS=default-clone", "BUILDKITE_GIT_FETCH_FLAGS=plugin");
            assertThat(env(container(build("{checkout: {skip: true, cloneFlags: x}}"), "agent")))
                    .as("checkout env reaches the agent even when checkout is skipped")
                    .contains("BUILDKITE_GIT_CLONE_FLAGS=x");
        }

        @Test
        void gitCredentialsAndMirrorsOnCheckout() {
            Job job = build(
                    "{checkout: {gitCredentialsSecret: {secretName: plugin-creds}, envFrom: [{secretRef:"
                            + " {name: plugin-env}}],"
                            + " gitMirrors: {volume: {name: plugin-mirrors, emptyDir: {}}, path: /pm},"
                            + " extraVolumeMounts: [{name: plugin-extra, mountPath: /pe}]},"
                            + " podSpec: {volumes: [{name: plugin-extra, emptyDir: {}}, {name: default-extra,"
                            + " emptyDir: {}}]},"
                            + " gitEnvFrom: [{secretRef: {name: git}}]}",
                    Options.DEFAULT_CHECKOUT_PARAMS,
                    "{gitCredentialsSecret: {secretName: default-creds},"
                            + " envFrom: [{secretRef: {name: default-env}}], gitMirrors: {volume: {name:"
                            + " default-mirrors, emptyDir: {}}},"
                            + " extraVolumeMounts: [{name: default-extra, mountPath: /de}]}");
            Container checkout = container(job, "checkout");
            assertThat(envFrom(checkout)).containsExactly("secret:default-env", "secret:plugin-env", "secret:git");
            assertThat(mounts(checkout))
                    .containsExactly(
                            "workspace@/workspace",
                            "default-mirrors@/buildkite/git-mirrors",
                            "default-extra@/de",
                            "plugin-mirrors@/pm",
                            "plugin-extra@/pe",
                            "git-credentials-ro@/buildkite/git-credentials-ro",
                            "git-credentials@/buildkite/git-credentials");
            assertThat(checkout.getArgs().get(0)).contains("cp /buildkite/git-credentials-ro/.git-credentials");
            assertThat(pod(job).getVolumes().stream().map(v -> v.getName()).toList())
                    .containsExactly(
                            "plugin-extra",
                            "default-extra",
                            "workspace",
                            "default-mirrors",
                            "plugin-mirrors",
                            "git-credentials-ro",
                            "git-credentials");
            assertThat(pod(job).getVolumes().get(5).getSecret().getSecretName())
                    .as("the plugin's secret wins")
                    .isEqualTo("plugin-creds");
            assertThat(pod(job).getVolumes().get(6).getEmptyDir().getMedium()).isEqualTo("Memory");
            assertThat(mounts(container(job, "agent")))
                    .as("mirrors are for checkout only")
                    .containsExactly("workspace@/workspace");
        }

        @Test
        void theDefaultCredentialsSurviveAPluginWithoutCheckout() {
            Job job = build(
                    "{podSpec: {containers: [{image: alpine}]}}",
                    Options.DEFAULT_CHECKOUT_PARAMS,
                    "{gitCredentialsSecret: {secretName: default-creds}}");
            assertThat(mounts(container(job, "checkout"))).contains("git-credentials@/buildkite/git-credentials");
        }

        static Stream<Arguments> skipCheckout() {
            return Stream.of(
                    Arguments.of(null, null, false),
                    Arguments.of("{skip: true}", null, true),
                    Arguments.of("{skip: true}", "{skip: false}", false),
                    Arguments.of("{skip: false}", "{skip: true}", true),
                    Arguments.of(null, "{skip: true}", true),
                    Arguments.of(null, "{}", false));
        }

        @ParameterizedTest
        @MethodSource("skipCheckout")
        void checkoutSkipDefaultThenPlugin(String controllerDefault, String plugin, boolean skipped) {
            Job job = controllerDefault == null
                    ? build(plugin == null ? null : "{checkout: " + plugin + "}")
                    : build(
                            plugin == null ? null : "{checkout: " + plugin + "}",
                            Options.DEFAULT_CHECKOUT_PARAMS,
                            controllerDefault);
            assertThat(names(pod(job).getContainers()).contains("checkout")).isEqualTo(!skipped);
            assertThat(envValue(container(job, "container-0"), "BUILDKITE_CONTAINER_ID"))
                    .isEqualTo(skipped ? "0" : "1");
            assertThat(envValue(container(job, "agent"), "BUILDKITE_CONTAINER_COUNT"))
                    .isEqualTo(skipped ? "1" : "2");
        }

        @Test
        void skippedCheckoutRemovesPatchAddedCheckoutsToo() {
            Job job = build("{checkout: {skip: true}, podSpecPatch: {containers: [{name: checkout, workingDir: /w}]}}");
            assertThat(names(pod(job).getContainers())).containsExactly("container-0", "agent");
        }

        @Test
        void jobSpecFields() {
            Job job = build(
                    null,
                    Options.JOB_TTL,
                    "1h",
                    Options.JOB_ACTIVE_DEADLINE_SECONDS,
                    100,
                    Options.DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
                    30,
                    Options.JOB_PREFIX,
                    "ci-",
                    Options.NAMESPACE,
                    "builds");
            assertThat(job.getMetadata().getName()).isEqualTo("ci-" + Jobs.UUID);
            assertThat(job.getMetadata().getNamespace()).isEqualTo("builds");
            assertThat(job.getSpec().getBackoffLimit()).isZero();
            assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(3600);
            assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(100L);
            assertThat(pod(job).getTerminationGracePeriodSeconds()).isEqualTo(30L);
            assertThat(env(container(job, "agent")))
                    .contains("BUILDKITE_CANCEL_GRACE_PERIOD=30", "BUILDKITE_SIGNAL_GRACE_PERIOD_SECONDS=20");
            assertThat(build("{jobActiveDeadlineSeconds: 60}").getSpec().getActiveDeadlineSeconds())
                    .isEqualTo(60L);
            assertThat(build("{jobActiveDeadlineSeconds: 0}").getSpec().getActiveDeadlineSeconds())
                    .isEqualTo(21600L);
            Job ownGrace = build("{podSpec: {terminationGracePeriodSeconds: 5, containers: [{image: a}]}}");
            assertThat(pod(ownGrace).getTerminationGracePeriodSeconds()).isEqualTo(5L);
            assertThat(env(container(ownGrace, "agent")))
                    .contains("BUILDKITE_CANCEL_GRACE_PERIOD=5", "BUILDKITE_SIGNAL_GRACE_PERIOD_SECONDS=0");
        }

        @Test
        void agentV4AlsoGetsItsCancelTimeouts() {
            assertThat(env(container(build(null), "agent")))
                    .noneMatch(e -> e.startsWith("BUILDKITE_CANCEL_SIGNAL_TIMEOUT")
                            || e.startsWith("BUILDKITE_CANCEL_CLEANUP_TIMEOUT"));
            Job v4 = build(null, Options.IMAGE, "ghcr.io/buildkite/agent:4.0.0-beta.15");
            assertThat(env(container(v4, "agent")))
                    .containsSubsequence(
                            "BUILDKITE_CANCEL_GRACE_PERIOD=60",
                            "BUILDKITE_SIGNAL_GRACE_PERIOD_SECONDS=50",
                            "BUILDKITE_CANCEL_SIGNAL_TIMEOUT=50s",
                            "BUILDKITE_CANCEL_CLEANUP_TIMEOUT=10s");
            Job shortGrace = build(
                    "{podSpec: {terminationGracePeriodSeconds: 5, containers: [{image: a}]}}",
                    Options.IMAGE,
                    "buildkite/agent:v4");
            assertThat(env(container(shortGrace, "agent")))
                    .contains("BUILDKITE_CANCEL_SIGNAL_TIMEOUT=0s", "BUILDKITE_CANCEL_CLEANUP_TIMEOUT=5s");
        }

        @Test
        void workspaceVolumeAndSubPathExpr() {
            Job job = build(
                    "{podSpec: {containers: [{image: alpine}]}}",
                    Options.WORKSPACE_VOLUME,
                    "{name: shared, persistentVolumeClaim: {claimName: builds}}",
                    Options.WORKSPACE_MOUNT_SUB_PATH_EXPR,
                    "$(POD_NAME)");
            assertThat(pod(job).getVolumes().get(0).getName()).isEqualTo("shared");
            for (Container c : pod(job).getContainers()) {
                assertThat(mounts(c)).as(c.getName()).contains("shared@/workspace($(POD_NAME))");
            }
            for (Container c : pod(job).getInitContainers()) {
                assertThat(mounts(c)).as(c.getName()).containsExactly("shared@/workspace($(POD_NAME))");
            }
            assertThat(JobYaml.write(build(null))).doesNotContain("subPathExpr");
        }

        @Test
        void aUserMountAtWorkspaceShadowsTheWorkspaceMount() {
            Job job = build("{podSpec: {volumes: [{name: mine, emptyDir: {}}], containers: [{image: a, volumeMounts:"
                    + " [{name: mine, mountPath: /workspace}]}]}}");
            assertThat(mounts(container(job, "container-0"))).containsExactly("mine@/workspace");
        }

        @Test
        void podTemplateIsTheBaseWhenThereIsNoPodSpec() {
            PodTemplateLookup lookup = name -> new PodSpecBuilder()
                    .withServiceAccountName("from-" + name)
                    .addNewContainer()
                    .withImage("alpine")
                    .endContainer()
                    .build();
            Job job = build(job("{podTemplate: tmpl}"), config(), lookup);
            assertThat(pod(job).getServiceAccountName()).isEqualTo("from-tmpl");
            assertThat(container(job, "container-0").getImage()).isEqualTo("alpine");
            assertThat(job.getMetadata().getAnnotations()).containsEntry("buildkite.com/pod-template-name", "tmpl");
            Job withPodSpec =
                    build(job("{podTemplate: tmpl, podSpec: {containers: [{image: debian}]}}"), config(), lookup);
            assertThat(withPodSpec.getMetadata().getAnnotations()).doesNotContainKey("buildkite.com/pod-template-name");
            assertThat(build(null).getMetadata().getAnnotations()).doesNotContainKey("buildkite.com/pod-template-name");
        }

        @Test
        void aTemplateFromANewerClusterKeepsFieldsWeDoNotKnow() {
            PodTemplateLookup lookup = name -> {
                io.fabric8.kubernetes.api.model.PodSpec spec = new PodSpecBuilder()
                        .addNewContainer()
                        .withImage("alpine")
                        .endContainer()
                        .build();
                spec.setAdditionalProperty("futureField", "kept");
                return spec;
            };
            Job job = build(job("{podTemplate: tmpl, podSpecPatch: {nodeSelector: {a: b}}}"), config(), lookup);
            assertThat(pod(job).getAdditionalProperties()).containsEntry("futureField", "kept");
            assertThat(pod(job).getNodeSelector()).containsEntry("a", "b");
        }

        @Test
        void agentConfigSetsEnvVolumesAndMounts() {
            Job job = build(
                    "{podSpec: {containers: [{image: alpine}]}}",
                    Options.AGENT_CONFIG,
                    "{endpoint: https://agent.example/v3,"
                            + " shell: /bin/bash -ec, experiment: [a, b], no-http2: true, hooks-path: /hooks,"
                            + " hooksVolume: {name: hooks, configMap: {name: hooks}}, pluginsVolume: {name: plugins, emptyDir:"
                            + " {}},"
                            + " additional-hooks-paths: [/baked], additional-hooks: [{path: /more, volume: {name: more,"
                            + " emptyDir: {}}}],"
                            + " signingJWKSVolume: {name: signing, secret: {secretName: s}}, signing-jwks-file: sign.json,"
                            + " verificationJWKSVolume: {name: verify, secret: {secretName: v}}, plugin-validation: true,"
                            + " container-start-timeout: 2m}");
            Container agent = container(job, "agent");
            List<String> env = env(agent);
            assertThat(env).contains("BUILDKITE_HOOKS_PATH=/hooks", "BUILDKITE_SHELL=/bin/bash -ec");
            assertThat(env.indexOf("BUILDKITE_HOOKS_PATH=/hooks"))
                    .as("replaced in place")
                    .isEqualTo(7);
            assertThat(env.indexOf("BUILDKITE_SHELL=/bin/bash -ec")).isEqualTo(10);
            assertThat(env.subList(16, env.size()))
                    .containsExactly(
                            "BUILDKITE_AGENT_ENDPOINT=https://agent.example/v3",
                            "BUILDKITE_NO_HTTP2=true",
                            "BUILDKITE_AGENT_EXPERIMENT=a,b",
                            "BUILDKITE_KUBERNETES_CONTAINER_START_TIMEOUT=2m0s",
                            "BUILDKITE_ADDITIONAL_HOOKS_PATHS=/baked,/more",
                            "BUILDKITE_NO_PLUGIN_VALIDATION=false",
                            "BUILDKITE_AGENT_SIGNING_JWKS_FILE=/buildkite/signing-jwks/sign.json",
                            "BUILDKITE_AGENT_VERIFICATION_JWKS_FILE=/buildkite/verification-jwks/key");
            assertThat(mounts(agent))
                    .containsExactly(
                            "workspace@/workspace",
                            "hooks@/hooks",
                            "more@/more",
                            "plugins@/workspace/plugins",
                            "signing@/buildkite/signing-jwks",
                            "verify@/buildkite/verification-jwks");
            assertThat(mounts(container(job, "container-0")))
                    .containsExactly(
                            "hooks@/hooks",
                            "more@/more",
                            "plugins@/workspace/plugins",
                            "signing@/buildkite/signing-jwks",
                            "workspace@/workspace");
            assertThat(mounts(container(job, "checkout")))
                    .containsExactly(
                            "workspace@/workspace", "hooks@/hooks", "more@/more", "plugins@/workspace/plugins");
            assertThat(pod(job).getVolumes().stream().map(v -> v.getName()).toList())
                    .containsExactly("workspace", "hooks", "more", "plugins", "signing", "verify");
        }

        @Test
        void agentConfigWithoutVerificationWarns() {
            List<String> env = env(container(build(null, Options.AGENT_CONFIG, "{no-color: true}"), "agent"));
            assertThat(env.subList(16, env.size()))
                    .containsExactly(
                            "BUILDKITE_AGENT_NO_COLOR=true",
                            "BUILDKITE_AGENT_JOB_VERIFICATION_NO_SIGNATURE_BEHAVIOR=warn");
            assertThat(env(container(build(null), "agent"))).hasSize(16);
        }
    }

    @Nested
    class Metadata {

        @Test
        void labelsInPrecedenceOrderWithTheControllersLast() {
            BuildkiteJob job = new BuildkiteJob(
                    null,
                    Jobs.UUID,
                    "x",
                    List.of("queue=kubernetes", "os=*", "no-equals", "ok=yes"),
                    7,
                    null,
                    job("{metadata: {labels: {team: plugin}}}").env());
            Job built = build(
                    job, config(Options.DEFAULT_METADATA, "{labels: {team: default, cost: ci}}", Options.ID, "c1"));
            assertThat(built.getMetadata().getLabels())
                    .containsExactly(
                            Map.entry("team", "plugin"),
                            Map.entry("cost", "ci"),
                            Map.entry("buildkite.com/job-uuid", Jobs.UUID),
                            Map.entry("buildkite.com/controller-id", "c1"),
                            Map.entry("tag.buildkite.com/queue", "kubernetes"),
                            Map.entry("tag.buildkite.com/ok", "yes"));
            assertThat(built.getSpec().getTemplate().getMetadata().getLabels())
                    .isEqualTo(built.getMetadata().getLabels());
            assertThat(built.getMetadata().getAnnotations()).containsEntry("buildkite.com/job-priority", "7");
            assertThat(envValue(container(built, "agent"), "BUILDKITE_AGENT_TAGS"))
                    .isEqualTo("k8s:agent-stack-version=v" + Version.get() + ",queue=kubernetes,os=*,ok=yes");
        }

        @Test
        void thePluginCannotSetTheControllersLabelsOrAnnotations() {
            assertThat(failure("{metadata: {labels: {buildkite.com/job-uuid: forged}}}"))
                    .contains("reserved-metadata: metadata.labels[\"buildkite.com/job-uuid\"]");
            assertThat(failure("{metadata: {annotations: {buildkite.com/step-key: forged-step}}}"))
                    .contains("reserved-metadata: metadata.annotations[\"buildkite.com/step-key\"]");
        }

        @Test
        void theControllerWritesItsAnnotationsAfterThePlugins() {
            BuildkiteJob job = job(
                    "{metadata: {annotations: {mine: 'yes'}}}",
                    "BUILDKITE_STEP_KEY=real-step",
                    "BUILDKITE_BRANCH=main",
                    "BUILDKITE_REPO=git@example:r.git",
                    "BUILDKITE_PIPELINE_SLUG=p");
            Job built = build(job, config());
            for (Map<String, String> annotations : List.of(
                    built.getMetadata().getAnnotations(),
                    built.getSpec().getTemplate().getMetadata().getAnnotations())) {
                assertThat(annotations)
                        .containsEntry("buildkite.com/step-key", "real-step")
                        .containsEntry("buildkite.com/build-url", Jobs.BUILD_URL)
                        .containsEntry("buildkite.com/job-url", Jobs.BUILD_URL + "#" + Jobs.UUID)
                        .containsEntry("buildkite.com/build-branch", "main")
                        .containsEntry("buildkite.com/build-repo", "git@example:r.git")
                        .containsEntry("buildkite.com/pipeline-slug", "p")
                        .containsEntry("mine", "yes");
            }
        }

        @ParameterizedTest
        @CsvSource({
            "https://x-access-token:ghs_s3cret@github.com/acme/app.git, https://github.com/acme/app.git",
            "https://user:p@ss@example.com:8443/r.git?ref=main, https://example.com:8443/r.git?ref=main",
            "ssh://git@example.com/acme/app.git, ssh://example.com/acme/app.git",
            "https://github.com/acme/app.git, https://github.com/acme/app.git",
            "git@github.com:acme/app.git, git@github.com:acme/app.git"
        })
        void theRepositoryAnnotationCarriesNoCredentials(String repo, String shown) {
            Job built = build(job(null, "BUILDKITE_REPO=" + repo), config());
            assertThat(built.getMetadata().getAnnotations()).containsEntry("buildkite.com/build-repo", shown);
            assertThat(built.getSpec().getTemplate().getMetadata().getAnnotations())
                    .containsEntry("buildkite.com/build-repo", shown);
        }

        static Stream<Arguments> safeToEvict() {
            return Stream.of(
                    Arguments.of(null, null, "false"),
                    Arguments.of(
                            "{annotations: {cluster-autoscaler.kubernetes.io/safe-to-evict: 'true'}}", null, "true"),
                    Arguments.of(
                            null,
                            "{metadata: {annotations: {cluster-autoscaler.kubernetes.io/safe-to-evict: 'true'}}}",
                            "true"),
                    Arguments.of(
                            "{annotations: {cluster-autoscaler.kubernetes.io/safe-to-evict: 'true'}}",
                            "{metadata: {annotations: {cluster-autoscaler.kubernetes.io/safe-to-evict: 'false'}}}",
                            "false"));
        }

        @ParameterizedTest
        @MethodSource("safeToEvict")
        void safeToEvictDefaultsToFalseAndMetadataMayOverrideIt(String defaults, String plugin, String expected) {
            Job job = defaults == null ? build(plugin) : build(plugin, Options.DEFAULT_METADATA, defaults);
            assertThat(job.getMetadata().getAnnotations()).containsEntry(JobLabels.SAFE_TO_EVICT, expected);
            assertThat(job.getSpec().getTemplate().getMetadata().getAnnotations())
                    .containsEntry(JobLabels.SAFE_TO_EVICT, expected);
        }

        @Test
        void anEmptyBuildUrlGivesNoJobUrl() {
            BuildkiteJob job = new BuildkiteJob(null, Jobs.UUID, "x", List.of(), 0, null, List.of());
            assertThat(build(job, config()).getMetadata().getAnnotations())
                    .containsEntry("buildkite.com/build-url", "")
                    .doesNotContainKey("buildkite.com/job-url");
        }
    }

    @Nested
    class Patches {

        @Test
        void controllerPatchThenImageThenPluginPatch() {
            String controllerPatch = "{containers: [{name: container-0, image: 'alpine:controller'}]}";
            Job controllerOnly = build(job(null), config(Options.POD_SPEC_PATCH, controllerPatch));
            assertThat(container(controllerOnly, "container-0").getImage()).isEqualTo("alpine:controller");
            Job stepImage =
                    build(job(null, "BUILDKITE_IMAGE=x-image:job"), config(Options.POD_SPEC_PATCH, controllerPatch));
            assertThat(container(stepImage, "container-0").getImage())
                    .as("image: beats the controller patch")
                    .isEqualTo("x-image:job");
            assertThat(container(stepImage, "agent").getImage())
                    .as("only command containers")
                    .isEqualTo(AGENT_IMAGE);
            Job pluginPatch = build(
                    job(
                            "{podSpecPatch: {containers: [{name: container-0, image: 'x-image:plugin'}]}}",
                            "BUILDKITE_IMAGE=x-image:job"),
                    config(Options.POD_SPEC_PATCH, controllerPatch));
            assertThat(container(pluginPatch, "container-0").getImage())
                    .as("the plugin patch beats image:")
                    .isEqualTo("x-image:plugin");
            assertThat(initContainer(pluginPatch, "imagecheck-0").getImage())
                    .as("the final image is checked")
                    .isEqualTo("x-image:plugin");
        }

        @Test
        void theControllerPatchIsAStrategicMerge() {
            Job job = build(
                    job("{podSpecPatch: {containers: [{name: container-0, image: 'alpine:latest'}]}}"),
                    config(
                            Options.POD_SPEC_PATCH,
                            "{containers: [{name: checkout, envFrom: [{secretRef: {name: git-ssh-key}}]}]}",
                            Options.ID,
                            "controller-1"));
            assertThat(names(pod(job).getContainers())).containsExactly("container-0", "agent", "checkout");
            assertThat(container(job, "container-0").getImage()).isEqualTo("alpine:latest");
            assertThat(envFrom(container(job, "checkout"))).containsExactly("secret:git-ssh-key");
            assertThat(job.getMetadata().getLabels()).containsEntry("buildkite.com/controller-id", "controller-1");
        }

        @Test
        void aPatchedCommandBecomesBuildkiteCommandAndKeepsTheEntrypoint() {
            Job job = build("{podSpec: {containers: [{image: 'alpine:a', command: [echo, old]}]},"
                    + " podSpecPatch: {containers: [{name: container-0, image: 'alpine:b', command: [this should work"
                    + " as expected]}]}}");
            Container c = container(job, "container-0");
            assertThat(c.getImage()).isEqualTo("alpine:b");
            assertThat(c.getCommand()).containsExactly("/workspace/tini-static");
            assertThat(c.getArgs()).containsExactly("--", "/workspace/buildkite-agent", "kubernetes-bootstrap");
            assertThat(envValue(c, "BUILDKITE_COMMAND")).isEqualTo("this should work as expected");
            assertThat(c.getEnv().stream()
                            .filter(e -> e.getName().equals("BUILDKITE_COMMAND"))
                            .count())
                    .isEqualTo(1);
            Job vector = build("{commandParams: {interposer: vector},"
                    + " podSpecPatch: {containers: [{name: container-0, command: [echo], args: [a b]}]}}");
            assertThat(envValue(container(vector, "container-0"), "BUILDKITE_COMMAND"))
                    .isEqualTo("echo 'a b'");
        }

        @Test
        void newContainersAndSidecarsMayChangeCommands() {
            Job job = build("{sidecars: [{name: side, image: nginx, command: [nginx]}],"
                    + " podSpecPatch: {initContainers: [{name: side, command: [nginx, -g, daemon off;]}],"
                    + " containers: [{name: my-cool-container, image: debian, command: [sleep, '1']}]}}");
            assertThat(names(pod(job).getContainers()))
                    .containsExactly("my-cool-container", "container-0", "agent", "checkout");
            assertThat(container(job, "my-cool-container").getCommand()).containsExactly("sleep", "1");
            assertThat(initContainer(job, "side").getCommand()).containsExactly("nginx", "-g", "daemon off;");
        }

        @Test
        void aPatchWithoutContainersKeepsThem() {
            Job job = build(
                    "{podSpecPatch: {hostAliases: [{ip: 10.0.0.1, hostnames: [db]}], nodeSelector: {disk: ssd}}}");
            assertThat(names(pod(job).getContainers())).containsExactly("container-0", "agent", "checkout");
            assertThat(pod(job).getHostAliases()).hasSize(1);
            assertThat(pod(job).getNodeSelector()).containsEntry("disk", "ssd");
        }

        static Stream<Arguments> forbiddenCommandChanges() {
            String unsupported = "modifying container commands or args via podSpecPatch is not supported";
            return Stream.of(
                    Arguments.of(
                            "{containers: [{name: agent, command: [sh]}]}", "for the agent container, " + unsupported),
                    Arguments.of(
                            "{containers: [{name: agent, args: [stop]}]}", "for the agent container, " + unsupported),
                    Arguments.of(
                            "{containers: [{name: checkout, command: [sh]}]}",
                            "for the checkout container, " + unsupported
                                    + "; instead consider configuring a checkout hook or skipping the checkout container"
                                    + " entirely"),
                    Arguments.of(
                            "{containers: [{name: checkout, args: [echo]}]}",
                            "for the checkout container, " + unsupported
                                    + "; instead consider configuring a checkout hook or skipping the checkout container"
                                    + " entirely"),
                    Arguments.of(
                            "{initContainers: [{name: copy-agent, command: [sh]}]}",
                            "for the copy-agent container, " + unsupported),
                    Arguments.of(
                            "{initContainers: [{name: imagecheck-0, args: [x]}]}",
                            "for the imagecheck-0 container, " + unsupported));
        }

        @ParameterizedTest
        @MethodSource("forbiddenCommandChanges")
        void systemContainerCommandsAreTheControllers(String patch, String message) {
            assertThat(failure("{podSpecPatch: " + patch + "}")).isEqualTo(message);
        }

        @Test
        void theUnsafeOptionAllowsSystemCommandChanges() {
            Job job = build(
                    "{podSpecPatch: {containers: [{name: agent, command: [sh]}, {name: checkout, args: [echo]}]}}",
                    Options.ALLOW_POD_SPEC_PATCH_UNSAFE_COMMAND_MODIFICATION,
                    true);
            assertThat(container(job, "agent").getCommand()).containsExactly("sh");
            assertThat(container(job, "checkout").getArgs()).containsExactly("echo");
        }

        @Test
        void repeatingTheSameCommandIsNoChange() {
            Job job = build("{podSpecPatch: {containers: [{name: checkout, command: [/bin/sh, -c], workingDir: /w}]}}");
            assertThat(container(job, "checkout").getCommand()).containsExactly("/bin/sh", "-c");
            assertThat(container(job, "checkout").getWorkingDir()).isEqualTo("/w");
        }

        @Test
        void imageChecksCannotBePatchedBecauseTheyComeLater() {
            assertThat(
                            failure(
                                    "{podSpecPatch: {initContainers: [{name: imagecheck-0, resources: {limits: {cpu: '1'}}}]}}"))
                    .startsWith(
                            "the imagecheck-0 container cannot be patched: image checks are added after the patches");
        }

        @Test
        void patchFailuresNameTheirSource() {
            assertThat(failure("{podSpecPatch: {containers: [{image: alpine}]}}"))
                    .isEqualTo("failed to apply podSpec patch from k8s plugin: list item 0 does not contain declared"
                            + " merge key: name");
        }
    }

    @Nested
    class Plugin {

        static Stream<Arguments> pluginKeys() {
            return Stream.of(
                    Arguments.of(PluginParser.PLUGIN_KEY, true),
                    Arguments.of(PluginParser.PLUGIN_KEY + "#v1.2.3", true),
                    Arguments.of("kubernetes", true),
                    Arguments.of("kubernetes#v1", true),
                    Arguments.of("github.com/buildkite-plugins/docker-buildkite-plugin#v5", false),
                    Arguments.of("github.com/someone/kubernetes-buildkite-plugin", false));
        }

        @ParameterizedTest
        @MethodSource("pluginKeys")
        void recognisesThePluginUnderItsNames(String key, boolean recognised) {
            BuildkiteJob job = new BuildkiteJob(
                    null,
                    Jobs.UUID,
                    "x",
                    List.of(),
                    0,
                    null,
                    List.of("BUILDKITE_PLUGINS="
                            + Jobs.plugins(key, "{podSpec: {containers: [{image: 'custom:1'}]}}")));
            assertThat(container(build(job, config()), "container-0").getImage())
                    .isEqualTo(recognised ? "custom:1" : AGENT_IMAGE);
        }

        @Test
        void otherPluginsAreLeftToTheAgent() {
            BuildkiteJob job = new BuildkiteJob(
                    null,
                    Jobs.UUID,
                    "x",
                    List.of(),
                    0,
                    null,
                    List.of("BUILDKITE_PLUGINS=["
                            + "{\"github.com/buildkite-plugins/some-other-buildkite-plugin\":{\"foo\":\"bar\"}},"
                            + "{\"github.com/buildkite-plugins/kubernetes-buildkite-plugin\":"
                            + "{\"podSpec\":{\"containers\":[{\"image\":\"alpine\"}]}}}]"));
            Job built = build(job, config());
            assertThat(JobYaml.write(built)).doesNotContain("some-other");
            assertThat(container(built, "container-0").getImage()).isEqualTo("alpine");
        }

        @Test
        void aSecondOccurrenceIsLaidOverTheFirst() {
            BuildkiteJob job = new BuildkiteJob(
                    null,
                    Jobs.UUID,
                    "x",
                    List.of(),
                    0,
                    null,
                    List.of("BUILDKITE_PLUGINS=["
                            + "{\"kubernetes\":{\"podSpec\":{\"containers\":[{\"image\":\"first\"}]},"
                            + "\"checkout\":{\"skip\":true}}},"
                            + "{\"kubernetes\":{\"podSpec\":{\"containers\":[{\"image\":\"second\"}]}}}]"));
            Job built = build(job, config());
            assertThat(container(built, "container-0").getImage()).isEqualTo("second");
            assertThat(names(pod(built).getContainers())).doesNotContain("checkout");
        }
    }

    @Nested
    class Failures {

        static Stream<Arguments> failures() {
            return Stream.of(
                    Arguments.of(
                            "{podSpec: {containers: [{image: alpine, env: [{name: A, value: 1}]}]}}",
                            "failed parsing Kubernetes plugin: podSpec.containers[0].env[0].value: expected a string,"
                                    + " got a number"),
                    Arguments.of(
                            "{podSpecs: {}}",
                            "failed parsing Kubernetes plugin: podSpecs: unknown field (known fields:"
                                    + " checkout, commandParams, extraVolumeMounts, gitEnvFrom, jobActiveDeadlineSeconds,"
                                    + " metadata,"
                                    + " podSpec, podSpecPatch, podTemplate, sidecarParams, sidecars)"),
                    Arguments.of(
                            "{podSpecPatch: {containers: [{name: container-0, imagePullPolcy: Always}]}}",
                            "failed parsing Kubernetes plugin: podSpecPatch.containers[0].imagePullPolcy:"
                                    + " unknown field"),
                    Arguments.of(
                            "{checkout: {skip: yes please}}",
                            "failed parsing Kubernetes plugin: checkout.skip: expected a boolean, got a string"),
                    Arguments.of(
                            "{commandParams: {interposer: bash}}",
                            "failed parsing Kubernetes plugin: commandParams.interposer:"
                                    + " invalid interposer \"bash\", must be one of: [ buildkite vector legacy]"),
                    Arguments.of(
                            "{podSpec: {containers: [{image: Alpine}]}}",
                            "invalid reference format \"Alpine\" for container \"container-0\""),
                    Arguments.of(
                            "{podSpec: {containers: [{name: agent, image: alpine}]}}",
                            "duplicate container name \"agent\" (agent, checkout, copy-agent, imagecheck-N and"
                                    + " container-N are the controller's names)"),
                    Arguments.of(
                            "{podSpec: {containers: [{name: container-1, image: a}, {image: b}]}}",
                            "duplicate container name \"container-1\" (agent, checkout, copy-agent, imagecheck-N and"
                                    + " container-N are the controller's names)"),
                    Arguments.of(
                            "{podSpec: {containers: [{name: My_Container, image: a}]}}",
                            "container name \"My_Container\" is not a valid name (a lower-case DNS label)"),
                    Arguments.of(
                            "{extraVolumeMounts: [{name: missing, mountPath: /m}]}",
                            "container \"container-0\" mounts volume \"missing\" at /m, but the pod has no such"
                                    + " volume"),
                    Arguments.of(
                            "{podSpec: {volumes: [{name: workspace, emptyDir: {}}]}}",
                            "duplicate volume name \"workspace\""),
                    // found by PodSpecBuilderFuzzTest: the API server refuses an env var without a name
                    Arguments.of(
                            "{podSpec: {containers: [{image: alpine, env: [{name: A, value: a}, {value: b}]}]}}",
                            "container \"container-0\": env[1] has no name"),
                    Arguments.of(
                            "{sidecars: [{image: nginx, env: [{name: '', value: x}]}]}",
                            "container \"sidecar-0\": env[0] has no name"),
                    Arguments.of(
                            "{metadata: {labels: {team: a b}}}",
                            "kubernetes plugin metadata.labels.team: invalid value \"a b\": must be at most 63"
                                    + " characters of"
                                    + " letters, digits, '-', '_' or '.', starting and ending with a letter or digit"),
                    Arguments.of(
                            "{metadata: {annotations: {'bad key': x}}}",
                            "kubernetes plugin metadata.annotations: invalid key \"bad key\": name part must be 1-63"
                                    + " characters"
                                    + " of letters, digits, '-', '_' or '.', starting and ending with a letter"
                                    + " or digit"),
                    Arguments.of(
                            "{podSpec: {containers: [{image: a, resources: {limits: {cpu: lots}}}]}}",
                            "container \"container-0\": cpu quantity \"lots\" does not parse (e.g. 500m, 2, 1Gi)"),
                    Arguments.of(
                            "{podTemplate: tmpl}",
                            "Error fetching podTemplate \"tmpl\": there is no cluster to fetch it"
                                    + " from (render and lint run offline); use podSpec here"),
                    Arguments.of(
                            "\"just a string\"",
                            "failed parsing Kubernetes plugin: expected the plugin's settings (an object),"
                                    + " got a string"));
        }

        @ParameterizedTest
        @MethodSource("failures")
        void reportsTheReason(String plugin, String reason) {
            assertThat(failure(plugin)).isEqualTo(reason);
        }

        @Test
        void severalBadImagesAreTabled() {
            assertThat(failure("{podSpec: {containers: [{name: b, image: 'Bad'}, {name: a, image: 'x::y'}]}}"))
                    .isEqualTo("""
                    invalid image references

                    ╭───────────┬───────────┬──────────────────────────╮
                    │ CONTAINER │ IMAGE REF │ PARSE ERROR              │
                    ├───────────┼───────────┼──────────────────────────┤
                    │ a         │ x::y      │ invalid reference format │
                    │ b         │ Bad       │ invalid reference format │
                    ╰───────────┴───────────┴──────────────────────────╯
                    """);
        }

        @Test
        void prohibitedPlugin() {
            assertThat(failure("{}", Options.PROHIBIT_KUBERNETES_PLUGIN, true))
                    .isEqualTo(
                            "the kubernetes plugin is prohibited by this controller, but was configured on this job");
            assertThat(dev.agentstack.podspec.PodSpecBuilder.build(
                                    job(null), config(Options.PROHIBIT_KUBERNETES_PLUGIN, true))
                            .valid())
                    .isTrue();
        }

        static Stream<Arguments> badEnv() {
            return Stream.of(
                    Arguments.of(List.of("A=1", "NOEQUALS"), "job env entry 1 is not KEY=VALUE (it has no \"=\")"),
                    Arguments.of(
                            List.of("BUILDKITE_PLUGINS=[{"),
                            "failed parsing plugins: not valid JSON at line 1, column 3"),
                    Arguments.of(
                            List.of("BUILDKITE_PLUGINS=[hunter2]"), "failed parsing plugins: not valid JSON at line 1"),
                    Arguments.of(
                            List.of("BUILDKITE_PLUGINS={}"),
                            "failed parsing plugins: expected a list of plugins, got an object"),
                    Arguments.of(
                            List.of("BUILDKITE_PLUGINS=[{\"a\":1,\"b\":2}]"),
                            "found invalid plugin: an object with 2 keys [a, b] (a plugin is an object with exactly"
                                    + " one key)"));
        }

        @ParameterizedTest
        @MethodSource("badEnv")
        void badJobEnvironment(List<String> env, String reasonStart) {
            BuildkiteJob job = new BuildkiteJob(null, Jobs.UUID, "x", List.of(), 0, null, env);
            assertThat(failure(job, config())).startsWith(reasonStart);
        }

        @Test
        void theLaterDuplicateEnvEntryWins() {
            BuildkiteJob job = new BuildkiteJob(
                    null,
                    Jobs.UUID,
                    "x",
                    List.of(),
                    0,
                    null,
                    List.of("BUILDKITE_STEP_KEY=first", "BUILDKITE_STEP_KEY=second=with=equals"));
            assertThat(build(job, config()).getMetadata().getAnnotations())
                    .containsEntry("buildkite.com/step-key", "second=with=equals");
        }

        @Test
        void failuresNeverEchoSecretValues() {
            BuildkiteJob job = new BuildkiteJob(
                    null,
                    Jobs.UUID,
                    "x",
                    List.of(),
                    0,
                    null,
                    List.of("BUILDKITE_PLUGINS=[{\"secret-plugin\":{\"password\":\"hunter2\"},\"x\":1}]", "hunter3"));
            assertThat(failure(job, config())).doesNotContain("hunter2").doesNotContain("hunter3");
        }
    }

    /** Inputs the fuzz tests (PodSpecBuilderFuzzTest) found mishandled. */
    @Nested
    class FoundByFuzzing {

        @ParameterizedTest
        @MethodSource("nullListEntries")
        void aNullEntryInAListIsAReasonNotACrash(String plugin, String path) {
            assertThat(failure(plugin))
                    .isEqualTo("failed parsing Kubernetes plugin: " + path + ": expected an entry, got null");
        }

        static Stream<Arguments> nullListEntries() {
            return Stream.of(
                    Arguments.of("{podSpec: {containers: [null]}}", "podSpec.containers[0]"),
                    Arguments.of("{podSpec: {initContainers: [{image: a}, null]}}", "podSpec.initContainers[1]"),
                    Arguments.of("{podSpec: {volumes: [null]}}", "podSpec.volumes[0]"),
                    Arguments.of("{sidecars: [null]}", "sidecars[0]"),
                    Arguments.of("{extraVolumeMounts: [null]}", "extraVolumeMounts[0]"),
                    Arguments.of("{gitEnvFrom: [null]}", "gitEnvFrom[0]"),
                    Arguments.of("{podSpecPatch: {containers: [null]}}", "podSpecPatch.containers[0]"),
                    Arguments.of(
                            "{podSpec: {containers: [{image: a, command: [echo, null]}]}}",
                            "podSpec.containers[0].command[1]"));
        }

        @Test
        void aPullPolicyKubernetesDoesNotKnowIsAReasonNotCopiedToTheImageCheck() {
            assertThat(failure("{podSpec: {containers: [{image: alpine, imagePullPolicy: container-0Agent}]}}"))
                    .isEqualTo("container \"container-0\": spec.template.spec.containers[0].imagePullPolicy:"
                            + " \"container-0Agent\" is not supported (Always, IfNotPresent or Never)");
        }

        @Test
        void aPatchThatRemovesTheContainersIsAReason() {
            assertThat(failure("{podSpecPatch: {containers: null}}"))
                    .isEqualTo("the pod has no \"agent\" container,"
                            + " which runs the job: a podSpecPatch must not remove it");
        }

        @Test
        void aResourceWithoutAQuantityIsAReason() {
            assertThat(failure("{podSpec: {containers: [{image: a, resources: {limits: {memory: null}}}]}}"))
                    .isEqualTo("container \"container-0\": memory has no quantity (e.g. 500m, 2, 1Gi)");
        }

        @Test
        void aJobUuidThatIsNoLabelValueIsAReason() {
            BuildkiteJob job = new BuildkiteJob(null, "-1", "x", List.of(), 0, null, List.of());
            assertThat(failure(job, config())).startsWith("label buildkite.com/job-uuid=\"-1\": ");
        }
    }
}

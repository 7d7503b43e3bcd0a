package dev.agentstack.podspec;

import static dev.agentstack.podspec.Jobs.build;
import static dev.agentstack.podspec.Jobs.config;
import static dev.agentstack.podspec.Jobs.container;
import static dev.agentstack.podspec.Jobs.failure;
import static dev.agentstack.podspec.Jobs.job;
import static dev.agentstack.podspec.Jobs.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.config.ControllerConfig;
import dev.agentstack.config.Options;
import dev.agentstack.config.QueueConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the pod policy lets through and what it adds: the admin's own settings, the levels' defaults, service accounts.
 * The refusals are in the hostile-pipelines table (RenderRefusesHostilePipelinesTest, PodPolicyRouteTest).
 */
class PodPolicyTest {

    private static final String PRIVILEGED_STEP = "{podSpec: {containers: [{image: alpine:3,"
            + " securityContext: {privileged: true, capabilities: {add: [SYS_ADMIN]}}}]}}";

    @Test
    void thePrivilegedLevelLetsAPrivilegedStepRun() {
        assertThat(failure(PRIVILEGED_STEP)).contains("baseline/privileged", "baseline/capabilities");
        Job job = build(PRIVILEGED_STEP, Options.POD_SECURITY_LEVEL, "privileged");
        assertThat(container(job, "container-0").getSecurityContext().getPrivileged())
                .isTrue();
    }

    @Test
    void theAdminsPatchMaySetWhatAStepMayNot() {
        ControllerConfig admin = config(
                Options.POD_SPEC_PATCH,
                "{serviceAccountName: agent-stack-camel,"
                        + " volumes: [{name: cache, hostPath: {path: /var/cache/ci}}],"
                        + " containers: [{name: agent, securityContext: {privileged: true}}]}");
        Job job = build(job(null), admin);
        assertThat(pod(job).getServiceAccountName()).isEqualTo("agent-stack-camel");
        assertThat(pod(job).getAutomountServiceAccountToken())
                .as("the admin chose the account")
                .isNull();
        assertThat(container(job, "agent").getSecurityContext().getPrivileged()).isTrue();

        // the step may not add its own on top, nor change the admin's volume into another node path
        assertThat(Jobs.failure(job("{podSpecPatch: {volumes: [{name: cache, hostPath: {path: /}}]}}"), admin))
                .contains("baseline/host-path-volumes: spec.volumes[0].hostPath mounts / of the node")
                .doesNotContain("privileged");
        assertThat(Jobs.failure(job("{podSpecPatch: {serviceAccountName: other}}"), admin))
                .contains("service-account: spec.serviceAccountName is other");
    }

    @Test
    void anAdminsPodTemplateMaySetWhatAStepMayNot() {
        PodSpec template = new PodSpecBuilder()
                .withHostNetwork(true)
                .addNewContainer()
                .withName("main")
                .withImage("alpine:3")
                .endContainer()
                .build();
        BuildResult fromTemplate = dev.agentstack.podspec.PodSpecBuilder.build(
                job("{podTemplate: host-network}"), config(), name -> template);
        assertThat(fromTemplate.valid()).as(() -> fromTemplate.reason()).isTrue();
        assertThat(pod(fromTemplate.job()).getHostNetwork()).isTrue();
    }

    @Test
    void jobPodsGetTheJobServiceAccountAndNoToken() {
        Job plain = build(null);
        assertThat(pod(plain).getServiceAccountName()).isNull();
        assertThat(pod(plain).getAutomountServiceAccountToken()).isFalse();

        Job withAccount = build(null, Options.JOB_SERVICE_ACCOUNT, "buildkite-jobs");
        assertThat(pod(withAccount).getServiceAccountName()).isEqualTo("buildkite-jobs");
        assertThat(pod(withAccount).getAutomountServiceAccountToken()).isFalse();
    }

    @Test
    void aStepMayChooseAnAllowedAccountAndThenGetsItsToken() {
        Job job = build(
                "{podSpecPatch: {serviceAccountName: deployer}}",
                Options.ALLOWED_SERVICE_ACCOUNTS,
                List.of("deployer"),
                Options.JOB_SERVICE_ACCOUNT,
                "buildkite-jobs");
        assertThat(pod(job).getServiceAccountName()).isEqualTo("deployer");
        assertThat(pod(job).getAutomountServiceAccountToken()).isNull();
    }

    @Test
    void theRestrictedLevelFillsInWhatItRequiresOnEveryContainer() {
        Job job = build(
                "{sidecars: [{image: redis:7}], podSpec: {initContainers: [{name: setup, image: alpine:3}],"
                        + " containers: [{image: alpine:3}]}}",
                Options.POD_SECURITY_LEVEL,
                "restricted",
                Options.RUN_AS_USER,
                2000);
        List<Container> all = new ArrayList<>(pod(job).getInitContainers());
        all.addAll(pod(job).getContainers());
        assertThat(all)
                .extracting(Container::getName)
                .contains("copy-agent", "setup", "sidecar-0", "agent", "checkout", "container-0");
        for (Container c : all) {
            SecurityContext sc = c.getSecurityContext();
            assertThat(sc.getRunAsNonRoot()).as(c.getName()).isTrue();
            assertThat(sc.getRunAsUser()).as(c.getName()).isEqualTo(2000L);
            assertThat(sc.getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
            assertThat(sc.getSeccompProfile().getType()).as(c.getName()).isEqualTo("RuntimeDefault");
            assertThat(sc.getCapabilities().getDrop()).as(c.getName()).containsExactly("ALL");
        }
    }

    @Test
    void theRestrictedLevelKeepsWhatTheStepSetsWithinIt() {
        Job job = build(
                "{podSpec: {securityContext: {runAsUser: 1234, runAsNonRoot: true,"
                        + " seccompProfile: {type: Localhost, localhostProfile: ci.json}},"
                        + " containers: [{image: alpine:3, securityContext: {capabilities: {drop: [ALL],"
                        + " add: [NET_BIND_SERVICE]}}}]}}",
                Options.POD_SECURITY_LEVEL,
                "restricted");
        SecurityContext sc = container(job, "container-0").getSecurityContext();
        assertThat(sc.getRunAsUser()).as("the pod's user applies").isNull();
        assertThat(sc.getSeccompProfile()).as("the pod's profile applies").isNull();
        assertThat(sc.getCapabilities().getAdd()).containsExactly("NET_BIND_SERVICE");
        assertThat(Jobs.initContainer(job, "copy-agent").getArgs().get(1))
                .as("no root set-up at restricted")
                .doesNotContain("chown");
        assertThat(container(job, "checkout").getArgs().get(0)).doesNotContain("useradd");
    }

    @Test
    void aQueueMayHaveItsOwnLevelAndLimits() {
        ControllerConfig controller = ControllerConfig.builder()
                .setFromYaml(Options.QUEUES, Jobs.yaml("""
                - tags: [queue=kubernetes]
                  pod-security-level: privileged
                - tags: [queue=locked]
                  pod-security-level: restricted
                  allowed-images: ["docker.io/library/alpine:*"]
                """))
                .build();
        List<QueueConfig> queues = controller.queues();
        assertThat(dev.agentstack.podspec.PodSpecBuilder.build(job(PRIVILEGED_STEP), controller.forQueue(queues.get(0)))
                        .valid())
                .isTrue();
        assertThat(Jobs.failure(
                        job("{podSpec: {containers: [{image: ubuntu:24.04}]}}"), controller.forQueue(queues.get(1))))
                .contains("(pod-security-level restricted)", "allowed-images: spec.containers[0].image is ubuntu");
        assertThat(Jobs.failure(job(PRIVILEGED_STEP), controller))
                .as("the controller's own level")
                .contains("baseline/privileged");
    }

    @Test
    void aQueueMayProhibitTheKubernetesPluginForItsJobsOnly() {
        ControllerConfig controller = ControllerConfig.builder()
                .setFromYaml(Options.QUEUES, Jobs.yaml("""
                - tags: [queue=kubernetes]
                - tags: [queue=locked]
                  prohibit-kubernetes-plugin: true
                """))
                .build();
        List<QueueConfig> queues = controller.queues();
        String plugin = "{podSpec: {containers: [{image: alpine:3}]}}";
        assertThat(dev.agentstack.podspec.PodSpecBuilder.build(job(plugin), controller.forQueue(queues.get(0)))
                        .valid())
                .isTrue();
        assertThat(Jobs.failure(job(plugin), controller.forQueue(queues.get(1))))
                .contains(PluginParser.PROHIBITED);
    }

    @Test
    void allowedImagesStarsStayWithinAPathSegment() {
        assertThat(build(
                                "{podSpec: {containers: [{image: alpine:3}]}}",
                                Options.ALLOWED_IMAGES,
                                List.of("docker.io/library/*", "ghcr.io/buildkite/**"))
                        .getMetadata())
                .isNotNull();
        assertThat(failure(
                        "{podSpec: {containers: [{image: evil/alpine:3}]}}",
                        Options.ALLOWED_IMAGES,
                        List.of("docker.io/library/*", "ghcr.io/buildkite/**")))
                .contains("allowed-images: spec.containers[0].image is evil/alpine:3");
    }

    @Test
    void theUnsafeOptionStillLetsAStepChangeTheAgentsCommandsButNotItsImage() {
        Job job = build(
                "{podSpecPatch: {containers: [{name: agent," + " command: [/bin/sh, -c, 'buildkite-agent start']}]}}",
                Options.ALLOW_POD_SPEC_PATCH_UNSAFE_COMMAND_MODIFICATION,
                true);
        assertThat(container(job, "agent").getCommand()).containsExactly("/bin/sh", "-c", "buildkite-agent start");
        String hook = "{podSpecPatch: {containers: [{name: agent,"
                + " lifecycle: {preStop: {exec: {command: [sleep, '5']}}}}]}}";
        assertThat(failure(hook)).contains("protected-container: podSpecPatch.containers[0].lifecycle");
        assertThat(container(build(hook, Options.ALLOW_POD_SPEC_PATCH_UNSAFE_COMMAND_MODIFICATION, true), "agent")
                        .getLifecycle()
                        .getPreStop())
                .isNotNull();
        assertThat(failure(
                        "{podSpecPatch: {containers: [{name: agent, image: evil/agent}]}}",
                        Options.ALLOW_POD_SPEC_PATCH_UNSAFE_COMMAND_MODIFICATION,
                        true))
                .contains("protected-container: podSpecPatch.containers[0].image");
    }

    @Test
    void theAgentMayReadTheAgentTokenButNotTheApiToken() {
        assertThat(build(null).getMetadata())
                .as("the agent's own token reference")
                .isNotNull();
        assertThat(failure(
                        "{podSpecPatch: {containers: [{name: agent, envFrom: [{secretRef: {name: bk-api}}]}]}}",
                        Options.BUILDKITE_TOKEN_SECRET,
                        "bk-api"))
                .contains("controller-secret: spec.containers[1].envFrom[0].secretRef.name names the Buildkite API");
    }

    /** A sysctl without a name was a NullPointerException, reported as a bug instead of a refusal. */
    @Test
    void aSysctlWithoutANameIsRefusedByTheRule() {
        assertThat(failure("{podSpec: {securityContext: {sysctls: [{value: '1'}]}, containers: [{image: a}]}}"))
                .contains("baseline/sysctls: spec.securityContext.sysctls[0].name is null");
    }

    /** The chart keeps both tokens in one Secret: the agent reads its own key of it, and nothing reads the other. */
    @Test
    void oneSecretWithBothTokensGivesTheAgentOnlyItsOwnKey() {
        Object[] oneSecret = {Options.AGENT_TOKEN_SECRET, "agent-stack", Options.BUILDKITE_TOKEN_SECRET, "agent-stack"};
        assertThat(build(null, oneSecret).getMetadata())
                .as("the agent's own reference")
                .isNotNull();
        assertThat(failure(
                        "{podSpecPatch: {containers: [{name: agent, env: [{name: T, valueFrom: {secretKeyRef:"
                                + " {name: agent-stack, key: BUILDKITE_TOKEN}}}]}]}}",
                        oneSecret))
                .contains(
                        "controller-secret: spec.containers[1].env[",
                        "Buildkite API token Secret agent-stack (key" + " BUILDKITE_TOKEN)");
        assertThat(failure(
                        "{sidecars: [{image: a, env: [{name: T, valueFrom: {secretKeyRef:"
                                + " {name: agent-stack, key: BUILDKITE_AGENT_TOKEN}}}]}]}",
                        oneSecret))
                .contains("controller-secret: spec.initContainers[1].env[0].valueFrom.secretKeyRef.name names the"
                        + " agent-token Secret");
    }
}

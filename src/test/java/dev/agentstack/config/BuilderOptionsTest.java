package dev.agentstack.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentstack.podspec.CheckoutParams;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The builder's options: defaults as the original's, and one-line errors naming the option at start-up. */
class BuilderOptionsTest {

    @Test
    void defaultsAreTheOriginals() {
        ControllerConfig c = ControllerConfig.builder().build();
        assertThat(c.jobPrefix()).isEqualTo("buildkite-");
        assertThat(c.jobActiveDeadlineSeconds()).isEqualTo(21600);
        assertThat(c.defaultTerminationGracePeriodSeconds()).isEqualTo(60);
        assertThat(c.imageCheckContainerCpuLimit()).isEqualTo("200m");
        assertThat(c.imageCheckContainerMemoryLimit()).isEqualTo("128Mi");
        assertThat(c.defaultImagePullPolicy()).isEmpty();
        assertThat(c.defaultImageCheckPullPolicy()).isEmpty();
        assertThat(c.skipImageCheckContainers()).isFalse();
        assertThat(c.allowPodSpecPatchUnsafeCommandModification()).isFalse();
        assertThat(c.workspaceMountSubPathExpr()).isEmpty();
        assertThat(c.workspaceVolume()).isNull();
        assertThat(c.agentConfig()).isNull();
        assertThat(c.defaultCheckoutParams()).isEqualTo(CheckoutParams.NONE);
        assertThat(c.image()).isEqualTo("ghcr.io/buildkite/agent:3.136.2");
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(Options.JOB_PREFIX, "Build_", "option job-prefix: must be lower-case letters"),
                Arguments.of(Options.JOB_PREFIX, "a-very-long-prefix-that-does-not-fit-", "option job-prefix: must be"),
                Arguments.of(
                        Options.JOB_ACTIVE_DEADLINE_SECONDS,
                        0,
                        "option job-active-deadline-seconds: must be 1 or more, got 0"),
                Arguments.of(
                        Options.DEFAULT_IMAGE_PULL_POLICY,
                        "Sometimes",
                        "option default-image-pull-policy: must be Always, IfNotPresent or Never, got \"Sometimes\""),
                Arguments.of(
                        Options.IMAGE_CHECK_CONTAINER_CPU_LIMIT,
                        "lots",
                        "option image-check-container-cpu-limit: must be a Kubernetes quantity"),
                Arguments.of(
                        Options.DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
                        -1,
                        "option default-termination-grace-period-seconds: must be 0 or more"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void rejectsInvalidValues(Option option, Object value, String message) {
        assertThatThrownBy(() -> ControllerConfig.builder().set(option, value).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message);
    }

    static Stream<Arguments> invalidObjects() {
        return Stream.of(
                Arguments.of(
                        Options.DEFAULT_CHECKOUT_PARAMS,
                        Map.of("cloneFlag", "-v"),
                        "option default-checkout-params: cloneFlag: unknown field"),
                Arguments.of(
                        Options.DEFAULT_CHECKOUT_PARAMS,
                        Map.of("gitMirrors", Map.of("lockTimeout", "soon")),
                        "option default-checkout-params: gitMirrors.lockTimeout: expected an integer, got a string"),
                Arguments.of(
                        Options.DEFAULT_COMMAND_PARAMS,
                        Map.of("interposer", "bash"),
                        "option default-command-params: interposer: invalid interposer \"bash\", must be one of: ["
                                + " buildkite vector legacy]"),
                Arguments.of(
                        Options.DEFAULT_SIDECAR_PARAMS,
                        Map.of("envFrom", "x"),
                        "option default-sidecar-params: envFrom: expected a list, got a string"),
                Arguments.of(
                        Options.DEFAULT_METADATA,
                        Map.of("labels", Map.of("bad key!", "x")),
                        "option default-metadata: labels: invalid key \"bad key!\""),
                Arguments.of(
                        Options.DEFAULT_METADATA,
                        Map.of("labels", Map.of("team", "a b")),
                        "option default-metadata: labels.team: invalid value \"a b\""),
                Arguments.of(
                        Options.WORKSPACE_VOLUME,
                        Map.of("emptyDir", Map.of()),
                        "option workspace-volume: name: required"),
                Arguments.of(
                        Options.AGENT_CONFIG,
                        Map.of("additional-hooks", List.of(Map.of("path", "/h"))),
                        "option agent-config: additional-hooks[0].volume: required"),
                Arguments.of(
                        Options.AGENT_CONFIG,
                        Map.of("container-start-timeout", "soon"),
                        "option agent-config: container-start-timeout: expected a duration"),
                Arguments.of(
                        Options.AGENT_CONFIG,
                        Map.of("hooks-paht", "/x"),
                        "option agent-config: hooks-paht: unknown field"),
                Arguments.of(
                        Options.POD_SPEC_PATCH,
                        Map.of("containers", List.of(Map.of("name", "agent", "command", List.of("sh")))),
                        "option pod-spec-patch: containers[0] (agent): modifying container commands or args via"
                                + " podSpecPatch"
                                + " is not supported unless allow-pod-spec-patch-unsafe-command-modification is true"),
                Arguments.of(
                        Options.POD_SPEC_PATCH,
                        Map.of("containers", List.of(Map.of("name", "container-0", "image", "Alpine"))),
                        "option pod-spec-patch: container image for container at index 0 contains uppercase letters:"
                                + " Alpine"),
                Arguments.of(
                        Options.POD_SPEC_PATCH,
                        Map.of("serviceAccount_Name", "x"),
                        "option pod-spec-patch: serviceAccount_Name: unknown field"));
    }

    @ParameterizedTest
    @MethodSource("invalidObjects")
    void rejectsInvalidObjectOptionsWithThePath(Option<?> option, Object value, String message) {
        assertThatThrownBy(() ->
                        ControllerConfig.builder().setFromYaml(option, value).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void patchCommandsAreAllowedWithTheUnsafeOption() {
        ControllerConfig c = ControllerConfig.builder()
                .setFromYaml(
                        Options.POD_SPEC_PATCH,
                        Map.of("containers", List.of(Map.of("name", "agent", "command", List.of("sh")))))
                .set(Options.ALLOW_POD_SPEC_PATCH_UNSAFE_COMMAND_MODIFICATION, true)
                .build();
        assertThat(c.podSpecPatch()).containsKey("containers");
    }

    @Test
    void patchDirectivesAreAllowed() {
        ControllerConfig c = ControllerConfig.builder()
                .setFromYaml(
                        Options.POD_SPEC_PATCH, Map.of("containers", List.of(Map.of("name", "x", "$patch", "delete"))))
                .build();
        assertThat(c.podSpecPatch()).isNotNull();
    }

    @Test
    void objectOptionsDecodeIntoTheirTypes() {
        ControllerConfig c = ControllerConfig.builder()
                .setFromYaml(
                        Options.DEFAULT_CHECKOUT_PARAMS,
                        Map.of("cloneFlags", "--depth 1", "gitCredentialsSecret", Map.of("secretName", "creds")))
                .setFromYaml(Options.AGENT_CONFIG, Map.of("shell", "/bin/bash -ec", "container-start-timeout", "5m"))
                .build();
        assertThat(c.defaultCheckoutParams().cloneFlags()).isEqualTo("--depth 1");
        assertThat(c.defaultCheckoutParams().gitCredentialsSecret().getSecretName())
                .isEqualTo("creds");
        assertThat(c.agentConfig().agentEnv())
                .contains(
                        Map.entry("BUILDKITE_SHELL", "/bin/bash -ec"),
                        Map.entry("BUILDKITE_KUBERNETES_CONTAINER_START_TIMEOUT", "5m0s"));
    }
}

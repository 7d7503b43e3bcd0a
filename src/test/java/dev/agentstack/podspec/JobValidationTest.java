package dev.agentstack.podspec;

import static dev.agentstack.podspec.Jobs.build;
import static dev.agentstack.podspec.Jobs.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.config.Options;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The API server's rules the builder checks before posting a Job (Kubernetes 1.36's validation): one table per rule,
 * each with what Kubernetes refuses (the job fails with the field path) and what it accepts (the builder must too).
 */
class JobValidationTest {

    private static final String C0 = "container \"container-0\": spec.template.spec.containers[0].";

    /** A plugin whose one command container has these extra fields (YAML, inside the container's braces). */
    private static String container(String fields) {
        return "{podSpec: {containers: [{image: alpine, " + fields + "}]}}";
    }

    static Stream<Arguments> envNames() {
        String rule = ": an environment variable name must be printable ASCII characters other than '='";
        return Stream.of(
                Arguments.of(
                        container("env: [{name: A=B, value: x}]"), C0 + "env[0].name: invalid value \"A=B\"" + rule),
                Arguments.of(
                        container("env: [{name: \"A\\tB\", value: x}]"),
                        C0 + "env[0].name: invalid value \"A\tB\"" + rule),
                Arguments.of(
                        container("env: [{name: OK, value: x}, {name: CAFÉ, value: x}]"),
                        C0 + "env[1].name: invalid value \"CAFÉ\"" + rule));
    }

    @ParameterizedTest
    @MethodSource("envNames")
    void envVarNamesArePrintableAsciiWithoutEquals(String plugin, String reason) {
        assertThat(failure(plugin)).isEqualTo(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"my.env-name", "1ST", "WITH SPACE", "a:b", "..", "~!@#$%^&*()"})
    void envVarNamesKubernetesAcceptsAreAccepted(String name) {
        assertThat(Jobs.container(build(container("env: [{name: '" + name + "', value: x}]")), "container-0")
                        .getEnv())
                .anyMatch(e -> e.getName().equals(name));
    }

    static Stream<Arguments> envSources() {
        String secret = "secretKeyRef: {name: s, key: k}";
        return Stream.of(
                Arguments.of(
                        container("env: [{name: A, value: x, valueFrom: {" + secret + "}}]"),
                        C0 + "env[0].valueFrom: may not be set when value is not empty (env var A)"),
                Arguments.of(
                        container("env: [{name: A, valueFrom: {}}]"),
                        C0 + "env[0].valueFrom: must set one of"
                                + " fieldRef, resourceFieldRef, configMapKeyRef or secretKeyRef (env var A)"),
                Arguments.of(
                        container("env: [{name: A, valueFrom: {" + secret + ", configMapKeyRef: {name: c,"
                                + " key: k}}}]"),
                        C0 + "env[0].valueFrom: may set only one of fieldRef, resourceFieldRef,"
                                + " configMapKeyRef or secretKeyRef (env var A)"),
                // a patch merges env by name: a value laid over a valueFrom leaves both
                Arguments.of(
                        "{podSpec: {containers: [{name: app, image: a, env: [{name: A, valueFrom: {" + secret
                                + "}}]}]}, podSpecPatch: {containers: [{name: app, env: [{name: A, value: x}]}]}}",
                        "container \"app\": spec.template.spec.containers[0].env[0].valueFrom: may not be set when"
                                + " value is not empty (env var A)"));
    }

    @ParameterizedTest
    @MethodSource("envSources")
    void anEnvVarHasAValueOrExactlyOneSource(String plugin, String reason) {
        assertThat(failure(plugin)).isEqualTo(reason);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{name: A, value: '', valueFrom: {secretKeyRef: {name: s, key: k}}}",
                "{name: A, valueFrom: {fieldRef: {fieldPath: metadata.name}}}",
                "{name: A}"
            })
    void anEmptyValueBesideASourceIsAccepted(String env) {
        build(container("env: [" + env + "]"));
    }

    static Stream<Arguments> requestsAndLimits() {
        return Stream.of(
                Arguments.of(
                        container("resources: {requests: {cpu: 2}, limits: {cpu: 1}}"),
                        C0 + "resources.requests[cpu]: 2 must be at most the cpu limit of 1"),
                Arguments.of(
                        container("resources: {requests: {memory: 2Gi}, limits: {memory: 2G}}"),
                        C0 + "resources.requests[memory]: 2Gi must be at most the memory limit of 2G"),
                Arguments.of(
                        container("resources: {requests: {nvidia.com/gpu: 1}, limits: {nvidia.com/gpu: 2}}"),
                        C0 + "resources.requests[nvidia.com/gpu]: 1 must equal the nvidia.com/gpu limit of 2"),
                Arguments.of(
                        container("resources: {requests: {nvidia.com/gpu: 1}}"),
                        C0 + "resources.limits[nvidia.com/gpu]: must be set, as nvidia.com/gpu cannot be"
                                + " overcommitted (its request is 1)"));
    }

    @ParameterizedTest
    @MethodSource("requestsAndLimits")
    void aRequestIsAtMostItsLimit(String plugin, String reason) {
        assertThat(failure(plugin)).isEqualTo(reason);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{requests: {cpu: 500m}, limits: {cpu: 1}}",
                "{requests: {cpu: '1'}, limits: {cpu: 1000m}}",
                "{requests: {cpu: 4, memory: 1Ti}}",
                "{limits: {memory: 1Gi}}",
                "{requests: {nvidia.com/gpu: 1}, limits: {nvidia.com/gpu: 1}}",
                "{limits: {nvidia.com/gpu: 2}}"
            })
    void requestsWithinOrWithoutLimitsAreAccepted(String resources) {
        build(container("resources: " + resources));
    }

    static Stream<Arguments> restartPolicies() {
        String rule = " is not supported for a Job's pod (Never or OnFailure)";
        return Stream.of(
                Arguments.of(
                        "{podSpecPatch: {restartPolicy: Always}}",
                        "spec.template.spec.restartPolicy: \"Always\"" + rule),
                Arguments.of(
                        "{podSpecPatch: {restartPolicy: Sometimes}}",
                        "spec.template.spec.restartPolicy: \"Sometimes\"" + rule),
                // the API server defaults an unset policy to Always
                Arguments.of(
                        "{podSpecPatch: {restartPolicy: null}}",
                        "spec.template.spec.restartPolicy: unset (Always)" + rule));
    }

    @ParameterizedTest
    @MethodSource("restartPolicies")
    void aJobsPodNeverRestartsOrRestartsOnFailure(String plugin, String reason) {
        assertThat(failure(plugin)).isEqualTo(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Never", "OnFailure"})
    void theRestartPoliciesOfAJobAreAccepted(String policy) {
        assertThat(Jobs.pod(build("{podSpecPatch: {restartPolicy: " + policy + "}}"))
                        .getRestartPolicy())
                .isEqualTo(policy);
    }

    static Stream<Arguments> gracePeriodsAndDeadlines() {
        String probe = "exec: {command: ['true']}, terminationGracePeriodSeconds: ";
        return Stream.of(
                Arguments.of(
                        "{podSpecPatch: {activeDeadlineSeconds: 0}}",
                        "spec.template.spec.activeDeadlineSeconds: 0 must be between 1 and 2147483647"),
                Arguments.of(
                        "{podSpecPatch: {activeDeadlineSeconds: -60}}",
                        "spec.template.spec.activeDeadlineSeconds: -60 must be between 1 and 2147483647"),
                Arguments.of(
                        container("livenessProbe: {" + probe + "0}"),
                        C0 + "livenessProbe.terminationGracePeriodSeconds: 0 must be greater than 0"),
                Arguments.of(
                        container("startupProbe: {" + probe + "-5}"),
                        C0 + "startupProbe.terminationGracePeriodSeconds: -5 must be greater than 0"),
                Arguments.of(
                        container("readinessProbe: {" + probe + "5}"),
                        C0 + "readinessProbe.terminationGracePeriodSeconds: must not be set for readiness probes"));
    }

    @ParameterizedTest
    @MethodSource("gracePeriodsAndDeadlines")
    void deadlinesArePositiveAndProbeGracePeriodsToo(String plugin, String reason) {
        assertThat(failure(plugin)).isEqualTo(reason);
    }

    /**
     * The API server accepts a negative pod terminationGracePeriodSeconds (a warning: the pod gets 1 second), so the
     * builder must not refuse it.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "{podSpec: {terminationGracePeriodSeconds: -5, containers: [{image: a}]}}",
                "{podSpec: {terminationGracePeriodSeconds: 0, containers: [{image: a}]}}",
                "{podSpecPatch: {activeDeadlineSeconds: 3600}}",
                "{podSpec: {containers: [{image: a, livenessProbe: {exec: {command: ['true']},"
                        + " terminationGracePeriodSeconds: 1}}]}}"
            })
    void gracePeriodsKubernetesAcceptsAreAccepted(String plugin) {
        build(plugin);
    }

    static Stream<Arguments> pullPolicies() {
        return Stream.of(
                Arguments.of(
                        container("imagePullPolicy: container-0Agent"),
                        C0 + "imagePullPolicy: \"container-0Agent\" is not supported (Always, IfNotPresent or Never)"),
                Arguments.of(
                        container("imagePullPolicy: always"),
                        C0 + "imagePullPolicy: \"always\" is not supported (Always, IfNotPresent or Never)"),
                Arguments.of(
                        "{podSpec: {initContainers: [{name: setup, image: a, imagePullPolicy: Sometimes}],"
                                + " containers: [{image: a}]}}",
                        "container \"setup\": spec.template.spec.initContainers[2].imagePullPolicy: \"Sometimes\""
                                + " is not supported (Always, IfNotPresent or Never)"));
    }

    @ParameterizedTest
    @MethodSource("pullPolicies")
    void aPullPolicyIsOneKubernetesKnows(String plugin, String reason) {
        assertThat(failure(plugin)).isEqualTo(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Always", "IfNotPresent", "Never", "''"})
    void pullPoliciesKubernetesAcceptsAreAccepted(String policy) {
        build(container("imagePullPolicy: " + policy));
    }

    static Stream<Arguments> ports() {
        return Stream.of(
                Arguments.of(
                        container("ports: [{containerPort: 99999}]"),
                        C0 + "ports[0].containerPort: 99999 must be between 1 and 65535"),
                Arguments.of(container("ports: [{containerPort: 0}]"), C0 + "ports[0].containerPort: required"),
                Arguments.of(
                        container("ports: [{containerPort: 80, hostPort: 65536}]"),
                        C0 + "ports[0].hostPort: 65536 must be between 1 and 65535 (or 0 for none)"),
                Arguments.of(
                        container("ports: [{containerPort: 80, protocol: tcp}]"),
                        C0 + "ports[0].protocol: \"tcp\" is not supported (TCP, UDP or SCTP)"),
                Arguments.of(
                        container("ports: [{name: HTTP, containerPort: 80}]"),
                        C0 + "ports[0].name: invalid"
                                + " value \"HTTP\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"),
                Arguments.of(
                        container("ports: [{name: '8080', containerPort: 80}]"),
                        C0 + "ports[0].name: invalid value \"8080\": must contain at least one letter (a-z)"),
                Arguments.of(
                        container("ports: [{name: a-very-long-port-name, containerPort: 80}]"),
                        C0 + "ports[0].name: invalid value \"a-very-long-port-name\": must be no more than 15"
                                + " characters"),
                Arguments.of(
                        container("ports: [{name: web, containerPort: 80}, {name: web, containerPort: 81}]"),
                        C0 + "ports[1].name: duplicate port name \"web\""));
    }

    @ParameterizedTest
    @MethodSource("ports")
    void portsAreInRangeWithValidUniqueNames(String plugin, String reason) {
        assertThat(failure(plugin)).isEqualTo(reason);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "[{containerPort: 65535, hostPort: 0}]",
                "[{containerPort: 1, hostPort: 65535}]",
                "[{name: http, containerPort: 80}, {name: metrics-2, containerPort: 9090, protocol: UDP}]",
                "[{containerPort: 80}, {containerPort: 81}]"
            })
    void portsKubernetesAcceptsAreAccepted(String ports) {
        // a host port is the Pod Security baseline's to refuse, not validation's
        build(container("ports: " + ports), Options.POD_SECURITY_LEVEL, "privileged");
    }

    static Stream<Arguments> names() {
        return Stream.of(
                Arguments.of(
                        "{podSpec: {volumes: [{name: My_Vol, emptyDir: {}}], containers: [{image: a}]}}",
                        "volume name \"My_Vol\" is not a valid name (a lower-case DNS label)"),
                Arguments.of(
                        "{podSpec: {volumes: [{name: v, emptyDir: {}}, {name: v, emptyDir: {}}],"
                                + " containers: [{image: a}]}}",
                        "duplicate volume name \"v\""),
                Arguments.of(
                        "{podSpec: {containers: [{name: web.app, image: a}]}}",
                        "container name \"web.app\" is not a valid name (a lower-case DNS label)"),
                Arguments.of(
                        "{podSpec: {initContainers: [{name: prepare, image: a}],"
                                + " containers: [{name: prepare, image: b}]}}",
                        "duplicate container name \"prepare\""
                                + " (agent, checkout, copy-agent, imagecheck-N and container-N are the controller's names)"));
    }

    @ParameterizedTest
    @MethodSource("names")
    void volumeAndContainerNamesAreUniqueDnsLabels(String plugin, String reason) {
        assertThat(failure(plugin)).isEqualTo(reason);
    }
}

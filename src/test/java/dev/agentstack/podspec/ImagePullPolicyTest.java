package dev.agentstack.podspec;

import static dev.agentstack.podspec.Jobs.container;
import static dev.agentstack.podspec.Jobs.initContainer;
import static dev.agentstack.podspec.Jobs.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.config.Options;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Image checks and pull policies (the intent of the original's 24-case TestImagePullPolicies): which images get a
 * check with which policy, and the final policy of container-0, agent, checkout and copy-agent. Differences from the
 * original, on purpose: checks come from the final containers; with checks skipped, a container is only downgraded to
 * IfNotPresent when an init container pulled its image with Always.
 */
class ImagePullPolicyTest {

    private static final String DIGEST = "alpine@sha256:" + "a".repeat(64);
    private static final String AGENT = "ghcr.io/buildkite/agent:3.136.2";

    static Stream<Arguments> cases() {
        return Stream.of(
                // podSpec container (image, own policy), config, checks, container-0, agent, checkout, copy-agent
                row(null, null, List.of(), "", "IfNotPresent", "IfNotPresent", "IfNotPresent", "Always"),
                row(
                        "alpine:latest",
                        null,
                        List.of(),
                        "alpine:latest=Always",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"),
                row(
                        DIGEST,
                        null,
                        List.of(),
                        DIGEST + "=IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"),
                row(
                        null,
                        null,
                        List.of(Options.DEFAULT_IMAGE_PULL_POLICY, "Always"),
                        "",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"),
                row(
                        "alpine:latest",
                        null,
                        List.of(Options.DEFAULT_IMAGE_PULL_POLICY, "Always"),
                        "alpine:latest=Always",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"),
                row(
                        DIGEST,
                        null,
                        List.of(Options.DEFAULT_IMAGE_PULL_POLICY, "Always"),
                        DIGEST + "=Always",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"),
                row(
                        null,
                        null,
                        List.of(Options.DEFAULT_IMAGE_PULL_POLICY, "IfNotPresent"),
                        "",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent"),
                row(
                        "alpine:latest",
                        null,
                        List.of(Options.DEFAULT_IMAGE_PULL_POLICY, "IfNotPresent"),
                        "alpine:latest=IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent"),
                row(
                        DIGEST,
                        null,
                        List.of(Options.DEFAULT_IMAGE_PULL_POLICY, "IfNotPresent"),
                        DIGEST + "=IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent"),
                row(
                        null,
                        null,
                        List.of(Options.DEFAULT_IMAGE_PULL_POLICY, "Never"),
                        "",
                        "Never",
                        "Never",
                        "Never",
                        "Never"),
                row(
                        "alpine:latest",
                        null,
                        List.of(Options.DEFAULT_IMAGE_PULL_POLICY, "Never"),
                        "alpine:latest=Never",
                        "Never",
                        "Never",
                        "Never",
                        "Never"),
                row(
                        DIGEST,
                        null,
                        List.of(Options.DEFAULT_IMAGE_PULL_POLICY, "Never"),
                        DIGEST + "=Never",
                        "Never",
                        "Never",
                        "Never",
                        "Never"),
                row(
                        "alpine:latest",
                        null,
                        List.of(Options.DEFAULT_IMAGE_CHECK_PULL_POLICY, "Always"),
                        "alpine:latest=Always",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"),
                row(
                        DIGEST,
                        null,
                        List.of(Options.DEFAULT_IMAGE_CHECK_PULL_POLICY, "Always"),
                        DIGEST + "=Always",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"),
                // the original's TODO: a weaker check leaves the container pulling Always
                row(
                        "alpine:latest",
                        null,
                        List.of(Options.DEFAULT_IMAGE_CHECK_PULL_POLICY, "IfNotPresent"),
                        "alpine:latest=IfNotPresent",
                        "Always",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"),
                row(
                        "alpine:latest",
                        null,
                        List.of(Options.DEFAULT_IMAGE_CHECK_PULL_POLICY, "Never"),
                        "alpine:latest=Never",
                        "Always",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"),
                row(
                        DIGEST,
                        null,
                        List.of(Options.DEFAULT_IMAGE_CHECK_PULL_POLICY, "Never"),
                        DIGEST + "=Never",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"),
                row(
                        "alpine:latest",
                        "Always",
                        List.of(),
                        "alpine:latest=Always",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"),
                row(
                        "alpine:latest",
                        "IfNotPresent",
                        List.of(),
                        "alpine:latest=IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"),
                row(
                        "alpine:latest",
                        "Never",
                        List.of(),
                        "alpine:latest=Never",
                        "Never",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"),
                row(
                        DIGEST,
                        "Always",
                        List.of(),
                        DIGEST + "=Always",
                        "IfNotPresent",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"),
                row(
                        "alpine:latest",
                        "Never",
                        List.of(Options.DEFAULT_IMAGE_PULL_POLICY, "Always"),
                        "alpine:latest=Never",
                        "Never",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"),
                row(AGENT, "Always", List.of(), "", "IfNotPresent", "IfNotPresent", "IfNotPresent", "Always"),
                // our fix: without checks nothing has pulled alpine, so container-0 keeps pulling it
                row(
                        "alpine:latest",
                        null,
                        List.of(Options.SKIP_IMAGE_CHECK_CONTAINERS, true),
                        "",
                        "Always",
                        "IfNotPresent",
                        "IfNotPresent",
                        "Always"));
    }

    private static Arguments row(
            String image,
            String policy,
            List<Object> config,
            String checks,
            String container0,
            String agent,
            String checkout,
            String copyAgent) {
        return Arguments.of(image, policy, config, checks, container0, agent, checkout, copyAgent);
    }

    @ParameterizedTest(name = "[{index}] image={0} policy={1} config={2}")
    @MethodSource("cases")
    void policies(
            String image,
            String policy,
            List<Object> config,
            String checks,
            String container0,
            String agent,
            String checkout,
            String copyAgent) {
        String plugin = image == null
                ? null
                : "{podSpec: {containers: [{image: '" + image + "'"
                        + (policy == null ? "" : ", imagePullPolicy: " + policy) + "}]}}";
        Job job = Jobs.build(plugin, config.toArray());
        assertThat(checks(job)).isEqualTo(checks);
        assertThat(container(job, "container-0").getImagePullPolicy())
                .as("container-0")
                .isEqualTo(container0);
        assertThat(container(job, "agent").getImagePullPolicy()).as("agent").isEqualTo(agent);
        assertThat(container(job, "checkout").getImagePullPolicy())
                .as("checkout")
                .isEqualTo(checkout);
        assertThat(initContainer(job, "copy-agent").getImagePullPolicy())
                .as("copy-agent")
                .isEqualTo(copyAgent);
    }

    @ParameterizedTest
    @MethodSource("culls")
    void anInitContainerThatPullsAsEagerlyMakesTheCheckRedundant(String initPolicy, String checks, String container0) {
        Job job = Jobs.build("{podSpec: {initContainers: [{name: pre, image: 'alpine:latest'"
                + (initPolicy == null ? "" : ", imagePullPolicy: " + initPolicy) + "}],"
                + " containers: [{image: 'alpine:latest'}]}}");
        assertThat(checks(job)).isEqualTo(checks);
        assertThat(container(job, "container-0").getImagePullPolicy()).isEqualTo(container0);
    }

    static Stream<Arguments> culls() {
        return Stream.of(
                Arguments.of("Always", "", "IfNotPresent"),
                Arguments.of("IfNotPresent", "alpine:latest=Always", "IfNotPresent"),
                Arguments.of(null, "alpine:latest=Always", "IfNotPresent"));
    }

    @ParameterizedTest
    @MethodSource("limits")
    void checkContainersHaveSmallResources(List<Object> config, String cpu, String memory) {
        Job job = Jobs.build("{podSpec: {containers: [{image: alpine}]}}", config.toArray());
        var check = initContainer(job, "imagecheck-0");
        assertThat(check.getCommand()).containsExactly("/workspace/tini-static");
        assertThat(check.getArgs()).containsExactly("--version");
        assertThat(Jobs.mounts(check)).containsExactly("workspace@/workspace");
        assertThat(check.getResources().getRequests().get("cpu").toString()).isEqualTo("100m");
        assertThat(check.getResources().getRequests().get("memory").toString()).isEqualTo("64Mi");
        assertThat(check.getResources().getLimits().get("cpu").toString()).isEqualTo(cpu);
        assertThat(check.getResources().getLimits().get("memory").toString()).isEqualTo(memory);
    }

    static Stream<Arguments> limits() {
        return Stream.of(
                Arguments.of(List.of(), "200m", "128Mi"),
                Arguments.of(
                        List.of(
                                Options.IMAGE_CHECK_CONTAINER_CPU_LIMIT,
                                "1",
                                Options.IMAGE_CHECK_CONTAINER_MEMORY_LIMIT,
                                "1Gi"),
                        "1",
                        "1Gi"));
    }

    private static String checks(Job job) {
        List<String> out = new ArrayList<>();
        pod(job).getInitContainers().stream()
                .filter(c -> c.getName().startsWith("imagecheck-"))
                .forEach(c -> out.add(c.getImage() + "=" + c.getImagePullPolicy()));
        return String.join(",", out);
    }
}

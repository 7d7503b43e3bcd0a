package dev.agentstack.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentstack.config.ConfigException;
import dev.agentstack.config.Options;
import dev.agentstack.testing.ControllerHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** routes-dir adds routes, and a file named like a built-in route replaces it, without a rebuild. */
class UserRoutesTest {

    /** The command-line test's controller makes its own Kubernetes client: it must reach no real cluster. */
    @org.junit.jupiter.api.extension.RegisterExtension
    final dev.agentstack.testing.AutoConfiguredKubernetes kubernetes =
            new dev.agentstack.testing.AutoConfiguredKubernetes();

    @TempDir
    Path dir;

    @Test
    void aUserRouteIsAddedAndANamesakeReplacesTheBuiltIn() throws Exception {
        Files.writeString(dir.resolve("extra.camel.yaml"), """
                - route:
                    id: user-added
                    from:
                      uri: timer:user-added?repeatCount=1
                      steps:
                        - log: "hello from a user route"
                """);
        // A replacement of schedule-jobs.camel.yaml provides the two templates each queue's routes are made from.
        Files.writeString(dir.resolve("schedule-jobs.camel.yaml"), """
                - routeTemplate:
                    id: schedule-jobs
                    parameters:
                      - name: queue
                    route:
                      description: replaced by the user
                      from:
                        uri: timer:replaced-{{queue}}?repeatCount=1
                        steps:
                          - log: "no scheduling here"
                - routeTemplate:
                    id: create-jobs
                    parameters:
                      - name: queue
                    route:
                      from:
                        uri: seda:create-jobs-{{queue}}
                        steps:
                          - log: "nothing to create"
                """);
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.ROUTES_DIR, dir.toString()))) {
            h.start();
            var context = h.controller().camelContext();
            assertThat(context.getRoute("user-added")).isNotNull();
            assertThat(context.getRoute("schedule-jobs-kubernetes").getDescription())
                    .isEqualTo("replaced by the user");
            assertThat(context.getRoute("watch-jobs"))
                    .as("routes of other built-in files stay")
                    .isNotNull();
        }
    }

    @Test
    void aUserRouteThatDoesNotParseIsAConfigurationErrorNamingItsLine() throws Exception {
        Path file = dir.resolve("extra.camel.yaml");
        Files.writeString(file, """
                - route:
                    id: extra
                    from:
                      uri: timer:extra
                      steps:
                        - log: [unclosed
                """);
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.ROUTES_DIR, dir.toString()))) {
            assertThatThrownBy(h::start)
                    .isInstanceOf(ConfigException.class)
                    .hasMessage(
                            "option routes-dir: while parsing a flow sequence in file:" + file + ", line 6, column 16");
        }
    }

    @Test
    void aUserRouteWithAnEndpointNoComponentServesIsAConfigurationError() throws Exception {
        Files.writeString(dir.resolve("extra.camel.yaml"), """
                - route:
                    id: extra
                    from:
                      uri: timer:extra
                      steps:
                        - to: nosuchcomponent:foo
                """);
        try (ControllerHarness h = new ControllerHarness(b -> b.set(Options.ROUTES_DIR, dir.toString()))) {
            assertThatThrownBy(h::start)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("option routes-dir: route extra: No endpoint could be found for:"
                            + " nosuchcomponent://foo");
        }
    }

    @Test
    void theCommandLineSaysItInOneLineAndExits2() throws Exception {
        Files.writeString(
                dir.resolve("extra.camel.yaml"),
                "- route:\n    id: extra\n    from:\n      uri: timer:x\n" + "      steps:\n        - bogusStep: {}\n");
        var err = new java.io.ByteArrayOutputStream();
        int code = dev.agentstack.cli.AgentStackCamel.run(
                new String[] {"run", "--org", "acme", "--routes-dir", dir.toString(), "--management-port", "0"},
                java.util.Map.of("BUILDKITE_TOKEN", "t"),
                new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                new java.io.PrintStream(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo("agent-stack-camel: option routes-dir: Unknown node id: bogusStep in file:"
                        + dir.resolve("extra.camel.yaml") + ", line 6, column 11\n");
    }

    @Test
    void aMissingFolderIsAConfigurationError() {
        assertThatThrownBy(() -> UserRoutes.of(dir.resolve("nope").toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("option routes-dir: no such folder: ");
    }
}

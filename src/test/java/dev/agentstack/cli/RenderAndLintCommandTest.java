package dev.agentstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** render and lint from the command line: outputs, stderr format and exit codes; no stack traces. */
class RenderAndLintCommandTest {

    @TempDir
    Path dir;

    private static CommandRun run(String... args) {
        return CommandRun.of(args);
    }

    private String file(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f.toString();
    }

    private static final String MIXED = """
            steps:
              - label: fine
                command: echo hi
              - label: typo
                plugins:
                  - kubernetes:
                      podSpec:
                        containers:
                          - image: alpine
                            imagePullPolcy: Always
              - key: bad-image
                plugins:
                  - kubernetes:
                      podSpec:
                        containers:
                          - image: Alpine
            """;

    @Test
    void renderPrintsJobsAndNamesFailedSteps() throws Exception {
        CommandRun r = run("render", file("mixed.yaml", MIXED));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).startsWith("---\napiVersion: batch/v1\nkind: Job\n").containsOnlyOnce("kind: Job");
        assertThat(r.err()).isEqualTo("""
                error: typo: failed parsing Kubernetes plugin: podSpec.containers[0].imagePullPolcy: unknown field
                error: bad-image: invalid reference format "Alpine" for container "container-0"
                """);
    }

    @Test
    void renderOfAValidPipelineExitsZero() {
        CommandRun r = run("render", "examples/pipelines/hello-world.yaml");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("name: buildkite-", "BUILDKITE_COMMAND", "value: echo Hello World!");
    }

    @Test
    void renderUsesTheConfigFile() throws Exception {
        String config = file("config.yaml", "prohibit-kubernetes-plugin: true\n");
        CommandRun r = run("render", "--config", config, "examples/pipelines/sidecars.yaml");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err())
                .isEqualTo(
                        "error: Talk to an nginx sidecar: the kubernetes plugin is prohibited by this controller, but was"
                                + " configured on this job\n");
    }

    @Test
    void renderPutsTheJobsInTheNamespaceAsked() throws Exception {
        CommandRun r = run("render", "--namespace", "ci", "examples/pipelines/hello-world.yaml");
        assertThat(r.exit()).isZero();
        JsonNode job = new ObjectMapper(new YAMLFactory()).readTree(r.out());
        assertThat(job.at("/metadata/namespace").asText()).isEqualTo("ci");
    }

    @Test
    void renderAsJsonPrintsOneListThatKubectlApplies() throws Exception {
        CommandRun r = run("render", "-o", "json", "--namespace", "ci", file("mixed.yaml", MIXED));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("error: typo: ", "error: bad-image: ");
        JsonNode list = new ObjectMapper().readTree(r.out());
        assertThat(list.get("apiVersion").asText()).isEqualTo("v1");
        assertThat(list.get("kind").asText()).isEqualTo("List");
        assertThat(list.get("items")).hasSize(1);
        JsonNode job = list.get("items").get(0);
        assertThat(job.get("kind").asText()).isEqualTo("Job");
        assertThat(job.at("/metadata/namespace").asText()).isEqualTo("ci");
        assertThat(job.at("/metadata/name").asText()).startsWith("buildkite-");
    }

    @Test
    void renderAsJsonHoldsWhatTheYamlDoes() throws Exception {
        CommandRun yaml = run("render", "--output=yaml", "examples/pipelines/hello-world.yaml");
        CommandRun json = run("render", "--output", "json", "examples/pipelines/hello-world.yaml");
        assertThat(json.exit()).isZero();
        JsonNode fromYaml = new ObjectMapper(new YAMLFactory()).readTree(yaml.out());
        JsonNode fromJson = new ObjectMapper().readTree(json.out()).get("items").get(0);
        // uuids are random per run; everything else is the same Job
        assertThat(fromJson.toString().replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "UUID"))
                .isEqualTo(fromYaml.toString().replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "UUID"));
    }

    @Test
    void renderRefusesAnOutputItDoesNotKnow() {
        CommandRun r = run("render", "-o", "xml", "examples/pipelines/hello-world.yaml");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("agent-stack-camel: option --output: expected yaml or json, got \"xml\"\n");
    }

    @Test
    void usageErrorsExitTwoWithOneLine() {
        CommandRun missing = run("render", "no/such/pipeline.yaml");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("agent-stack-camel: no/such/pipeline.yaml: no such file\n");
        CommandRun none = run("lint");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err())
                .isEqualTo("agent-stack-camel: lint takes one pipeline file (or - for stdin), got 0 arguments\n");
    }

    @Test
    void lintReportsEveryProblemWithItsPath() throws Exception {
        CommandRun r = run("lint", file("mixed.yaml", MIXED));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("""
                typo: podSpec.containers[0]: property 'imagePullPolcy' is not defined in the schema and the schema \
                does not allow additional properties
                bad-image: invalid reference format "Alpine" for container "container-0"
                """);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void lintReadsStdinAndPassesValidPipelines() throws Exception {
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream(
                    Files.readAllBytes(Path.of("examples/pipelines/git-https-credentials.yaml"))));
            CommandRun r = run("lint", "-");
            assertThat(r.exit()).isZero();
            assertThat(r.out()).isEqualTo("stdin: valid (1 job)\n");
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void everyExamplePipelineLintsClean() {
        for (Path pipeline : ExampleRenders.pipelines()) {
            if (!pipeline.getFileName().toString().equals("prohibited-plugin.yaml")) {
                CommandRun r = run("lint", pipeline.toString());
                assertThat(r.exit()).as(pipeline + ": " + r.out()).isZero();
            }
        }
    }

    @Test
    void lintReportsSchemaTypeErrorsAndDecodeErrors() throws Exception {
        CommandRun r = run("lint", file("types.yaml", """
                steps:
                  - label: types
                    plugins:
                      kubernetes:
                        podSpec:
                          containers:
                            - image: alpine
                              env: [{name: A, value: 1}]
                        commandParams: {interposer: bash}
                  - label: template
                    plugins: [{kubernetes: {podTemplate: my-template}}]
                """));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out())
                .contains("types: podSpec.containers[0].env[0].value: ", "types: commandParams.interposer: ")
                .doesNotContain("template:");
    }

    /** Specs the API server refuses (Kubernetes 1.36), and one it accepts although it looks wrong. */
    private static final String REFUSED = """
            steps:
              - key: env-name
                plugins:
                  - kubernetes:
                      podSpec:
                        containers:
                          - image: alpine
                            env: [{name: A=B, value: x}]
              - key: value-and-value-from
                plugins:
                  - kubernetes:
                      podSpec:
                        containers:
                          - image: alpine
                            env: [{name: TOKEN, value: x, valueFrom: {secretKeyRef: {name: s, key: k}}}]
              - key: request-above-limit
                plugins:
                  - kubernetes:
                      podSpec:
                        containers:
                          - image: alpine
                            resources: {requests: {memory: 2Gi}, limits: {memory: 1Gi}}
              - key: restart-always
                plugins:
                  - kubernetes:
                      podSpecPatch: {restartPolicy: Always}
              - key: negative-grace
                plugins:
                  - kubernetes:
                      podSpec:
                        terminationGracePeriodSeconds: -5
                        containers: [{image: alpine}]
              - key: port-out-of-range
                plugins:
                  - kubernetes:
                      podSpec:
                        containers:
                          - image: alpine
                            ports: [{containerPort: 99999}]
            """;

    private static final String C0 = "container \"container-0\": spec.template.spec.containers[0].";
    private static final String REFUSALS = """
            env-name: %1$senv[0].name: invalid value "A=B": an environment variable name must be printable ASCII \
            characters other than '='
            value-and-value-from: %1$senv[0].valueFrom: may not be set when value is not empty (env var TOKEN)
            request-above-limit: %1$sresources.requests[memory]: 2Gi must be at most the memory limit of 1Gi
            restart-always: spec.template.spec.restartPolicy: "Always" is not supported for a Job's pod (Never or \
            OnFailure)
            port-out-of-range: %1$sports[0].containerPort: 99999 must be between 1 and 65535
            """.formatted(C0);

    @Test
    void renderAndLintRefuseWhatTheApiServerWouldRefuse() throws Exception {
        String pipeline = file("refused.yaml", REFUSED);
        CommandRun render = run("render", pipeline);
        assertThat(render.exit()).isEqualTo(1);
        assertThat(render.err())
                .isEqualTo(
                        REFUSALS.lines().map(l -> "error: " + l + "\n").collect(java.util.stream.Collectors.joining()));
        // Kubernetes accepts a negative grace period (it warns, and the pod gets 1s), so the step still renders
        assertThat(render.out()).containsOnlyOnce("kind: Job").contains("terminationGracePeriodSeconds: -5");

        CommandRun lint = run("lint", pipeline);
        assertThat(lint.exit()).isEqualTo(1);
        assertThat(lint.out()).isEqualTo(REFUSALS);
    }
}

package dev.agentstack.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentstack.buildkite.BuildkiteJob;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Pipeline files become the jobs Buildkite would schedule, with the env Buildkite would give them. */
class PipelineReaderTest {

    private static List<PipelineJob> read(String yaml) {
        AtomicInteger n = new AtomicInteger();
        return new PipelineReader(PipelineContext.local("org", "pipe"), () -> "uuid-" + n.incrementAndGet())
                .readEach(yaml);
    }

    private static Map<String, String> env(BuildkiteJob job) {
        Map<String, String> env = new LinkedHashMap<>();
        job.env().forEach(e -> env.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1)));
        return env;
    }

    @Test
    void commandStepsGroupsAndSkippedSteps() {
        List<PipelineJob> jobs = read("""
                env: {LEVEL: pipeline, ONLY_PIPELINE: x}
                agents: {queue: kubernetes}
                image: debian:12
                steps:
                  - label: first
                    key: k1
                    commands: [echo a, echo b]
                    env: {LEVEL: step, NUMBER: 1}
                    agents: [os=linux]
                  - wait
                  - block: stop
                  - input: ask
                  - trigger: other
                  - group: g
                    steps:
                      - command: echo nested
                        image: alpine:3
                        plugins:
                          - kubernetes: {checkout: {skip: true}}
                          - docker#v5.0.0: {image: x}
                  - label: par
                    command: echo p
                    parallelism: 2
                    plugins: {kubernetes: {}}
                """);
        assertThat(jobs)
                .extracting(PipelineJob::label)
                .containsExactly("first", "echo nested", "par (1/2)", "par (2/2)");
        BuildkiteJob first = jobs.get(0).job();
        assertThat(first.command()).isEqualTo("echo a\necho b");
        assertThat(first.agentQueryRules()).containsExactly("queue=kubernetes", "os=linux");
        Map<String, String> env = env(first);
        assertThat(env)
                .containsEntry("LEVEL", "step")
                .containsEntry("ONLY_PIPELINE", "x")
                .containsEntry("NUMBER", "1")
                .containsEntry("BUILDKITE_COMMAND", "echo a\necho b")
                .containsEntry("BUILDKITE_STEP_KEY", "k1")
                .containsEntry("BUILDKITE_IMAGE", "debian:12")
                .containsEntry("BUILDKITE_BUILD_URL", "https://buildkite.com/org/pipe/builds/1")
                .doesNotContainKey("BUILDKITE_PLUGINS");
        Map<String, String> nested = env(jobs.get(1).job());
        assertThat(nested)
                .containsEntry("BUILDKITE_IMAGE", "alpine:3")
                .containsEntry(
                        "BUILDKITE_PLUGINS",
                        "[{\"github.com/buildkite-plugins/kubernetes-buildkite-plugin\":{\"checkout\":{\"skip\":true}}},"
                                + "{\"github.com/buildkite-plugins/docker-buildkite-plugin#v5.0.0\":{\"image\":\"x\"}}]");
        assertThat(env(jobs.get(2).job()))
                .containsEntry("BUILDKITE_PARALLEL_JOB", "0")
                .containsEntry("BUILDKITE_PARALLEL_JOB_COUNT", "2")
                .containsEntry(
                        "BUILDKITE_PLUGINS", "[{\"github.com/buildkite-plugins/kubernetes-buildkite-plugin\":{}}]");
        assertThat(env(jobs.get(3).job())).containsEntry("BUILDKITE_PARALLEL_JOB", "1");
        assertThat(jobs).extracting(j -> j.job().uuid()).containsExactly("uuid-1", "uuid-2", "uuid-3", "uuid-4");
    }

    @Test
    void aBadStepIsReportedAndTheOthersStillRead() {
        List<PipelineJob> jobs = read("""
                steps:
                  - label: good
                    command: echo ok
                  - label: bad
                    command: echo
                    parallelism: many
                  - key: also-good
                    command: echo ok
                """);
        assertThat(jobs).extracting(PipelineJob::stepName).containsExactly("good", "bad", "also-good");
        assertThat(jobs.get(1).problem())
                .isEqualTo("steps[1].parallelism: expected an integer, got the string \"many\"");
        assertThat(jobs.get(1).job()).isNull();
        assertThatThrownBy(() -> new PipelineReader(PipelineContext.local("o", "p"), () -> "u")
                        .read("steps: [{label: bad, env: 1}]"))
                .isInstanceOf(PipelineException.class)
                .hasMessage("bad: steps[0].env: expected a map of variables, got the number 1");
    }

    @Test
    void aFileThatIsNotAPipelineIsAnError() {
        assertThatThrownBy(() -> read("just text"))
                .isInstanceOf(PipelineException.class)
                .hasMessage("expected a pipeline with steps, got the string \"just text\"");
    }

    /** Inputs the fuzz tests (PipelineReaderFuzzTest) found mishandled. */
    @org.junit.jupiter.api.Nested
    class FoundByFuzzing {

        @org.junit.jupiter.params.ParameterizedTest
        @org.junit.jupiter.params.provider.ValueSource(strings = {"2147483647", "100000000", "1001"})
        void aHugeParallelismIsRefusedBeforeAnyJobIsMade(String parallelism) {
            List<PipelineJob> jobs =
                    read("steps:\n  - label: many\n    command: echo\n    parallelism: " + parallelism);
            assertThat(jobs)
                    .singleElement()
                    .extracting(PipelineJob::problem)
                    .isEqualTo("steps[0].parallelism: at most 1000, got " + parallelism);
        }

        @org.junit.jupiter.api.Test
        void anAliasBombIsRefused() {
            String bomb = PipelineReaderFuzzTest.billionLaughs(9, 9);
            assertThatThrownBy(() -> read(bomb))
                    .isInstanceOf(PipelineException.class)
                    .hasMessage("the aliases expand to more than 100000 values (an alias bomb?)");
        }

        @org.junit.jupiter.api.Test
        void anchorsAliasesAndMergeKeysAreResolved() {
            List<PipelineJob> jobs = read("""
                    x-defaults: &defaults
                      agents: {queue: kubernetes}
                      env: {SHARED: "yes"}
                    x-command: &build make build
                    steps:
                      - <<: *defaults
                        label: first
                        command: *build
                      - <<: *defaults
                        label: second
                        env: {OWN: "1"}
                        commands: [*build, make test]
                    """);
            assertThat(jobs).extracting(j -> j.job().command()).containsExactly("make build", "make build\nmake test");
            assertThat(jobs.get(0).job().agentQueryRules()).containsExactly("queue=kubernetes");
            assertThat(env(jobs.get(0).job())).containsEntry("SHARED", "yes");
            assertThat(env(jobs.get(1).job())).containsEntry("OWN", "1").doesNotContainKey("SHARED");
        }

        @org.junit.jupiter.api.Test
        void anEmojiAcrossTheParsersBufferBoundaryIsRead() {
            String prefix = "steps:\n  - command: \"";
            // somewhere here the YAML parser's first buffer ends between the emoji's two chars
            for (int length = 1000; length < 1040; length++) {
                String command = "x".repeat(length - prefix.length()) + "\uD83D\uDE00";
                assertThat(read(prefix + command + "\"\n"))
                        .extracting(j -> j.job().command())
                        .containsExactly(command);
            }
        }

        @org.junit.jupiter.api.Test
        void aNullInAnEnvOrAgentsListIsAReason() {
            assertThat(read("steps:\n  - command: echo\n    env: [null]\n"))
                    .singleElement()
                    .extracting(PipelineJob::problem)
                    .isEqualTo("steps[0].env: expected KEY=value, got nothing");
            assertThat(read("steps:\n  - command: echo\n    agents: [queue=a, null]\n"))
                    .singleElement()
                    .extracting(PipelineJob::problem)
                    .isEqualTo("steps[0].agents: expected key=value, got nothing");
        }

        @org.junit.jupiter.api.Test
        void anAliasWithoutAnAnchorIsAReason() {
            assertThatThrownBy(() -> read("steps:\n  - command: *nowhere\n"))
                    .isInstanceOf(PipelineException.class)
                    .hasMessage("alias *nowhere (line 2) names no anchor defined before it");
        }
    }
}

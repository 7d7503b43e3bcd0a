package dev.agentstack.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentstack.config.ControllerConfig;
import dev.agentstack.podspec.BuildResult;
import dev.agentstack.podspec.PodSpecBuilder;
import dev.agentstack.testing.ApiServerRules;
import dev.agentstack.testing.FuzzValues;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

/**
 * The pipeline reader (render and demo mode read users' files with it) on random and mutated pipeline YAML: anchors
 * and aliases, alias bombs, deep nesting, wrong types, huge values, unicode. It never throws anything but a
 * PipelineException with a message, never hangs, and each job it reads builds into a valid Job or fails with a reason.
 */
class PipelineReaderFuzzTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final ControllerConfig CONFIG = ControllerConfig.builder().build();
    private static final List<String> EXAMPLES = examples();
    private static final List<String> STEP_KEYS = List.of(
            "label",
            "name",
            "key",
            "identifier",
            "command",
            "commands",
            "env",
            "agents",
            "plugins",
            "parallelism",
            "priority",
            "image",
            "group",
            "steps",
            "wait",
            "block",
            "type");

    @Property(shrinking = ShrinkingMode.OFF)
    void mutatedExamplePipelines(@ForAll long seed) {
        FuzzValues fuzz = new FuzzValues(seed);
        String text = fuzz.pick(EXAMPLES);
        for (int n = 1 + fuzz.nextInt(3); n > 0; n--) {
            text = mutateText(fuzz, text);
        }
        check(text);
    }

    @Property(shrinking = ShrinkingMode.OFF)
    void mutatedPipelineTrees(@ForAll long seed) throws Exception {
        FuzzValues fuzz = new FuzzValues(seed);
        Object tree = FuzzValues.copy(YAML.readValue(fuzz.pick(EXAMPLES), Object.class));
        for (int n = 1 + fuzz.nextInt(4); n > 0; n--) {
            tree = fuzz.mutate(tree);
        }
        check(YAML.writeValueAsString(tree));
    }

    @Property(shrinking = ShrinkingMode.OFF)
    void randomPipelines(@ForAll long seed) throws Exception {
        FuzzValues fuzz = new FuzzValues(seed);
        Map<String, Object> pipeline = new LinkedHashMap<>();
        if (fuzz.chance(0.3)) {
            pipeline.put("env", fuzz.value(2));
        }
        if (fuzz.chance(0.3)) {
            pipeline.put("agents", fuzz.chance(0.5) ? Map.of("queue", "kubernetes") : fuzz.value(2));
        }
        pipeline.put("steps", steps(fuzz, 3));
        check(YAML.writeValueAsString(pipeline));
    }

    @Property(shrinking = ShrinkingMode.OFF)
    void hostileYaml(@ForAll long seed) {
        FuzzValues fuzz = new FuzzValues(seed);
        String text = switch (fuzz.nextInt(7)) {
            case 0 -> billionLaughs(1 + fuzz.nextInt(12), 2 + fuzz.nextInt(9));
            case 1 -> "steps:\n  - command: " + "[".repeat(1 + fuzz.nextInt(20_000)) + "]".repeat(fuzz.nextInt(3));
            case 2 -> "steps:\n" + "  - group: g\n    steps:\n".repeat(1) + nestedGroups(1 + fuzz.nextInt(300));
            case 3 ->
                "steps:\n  - command: echo\n    parallelism: "
                        + fuzz.pick(List.of(
                                "2147483647", "100000000", "-5", "0", "1e9", "99999999999999999999", "0x10", "'12'"));
            case 4 ->
                "a: &a [x]\nsteps:\n  - &s {command: *a, label: *a}\n  - *s\n  - <<: *s\n    key: " + fuzz.string();
            case 5 ->
                "steps:\n  - command: \"" + "x".repeat(fuzz.chance(0.05) ? 3_200_000 : fuzz.nextInt(100_000)) + "\"";
            default -> fuzz.randomUnicode(fuzz.nextInt(500));
        };
        check(text);
    }

    /** The classic alias bomb: each level is {@code width} aliases of the one before. */
    static String billionLaughs(int levels, int width) {
        StringBuilder sb = new StringBuilder("a0: &a0 [lol]\n");
        for (int i = 1; i <= levels; i++) {
            sb.append("a").append(i).append(": &a").append(i).append(" [");
            for (int w = 0; w < width; w++) {
                sb.append(w == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            sb.append("]\n");
        }
        return sb.append("steps:\n  - command: echo\n    env: {X: *a")
                .append(levels)
                .append("}\n")
                .toString();
    }

    private static String nestedGroups(int depth) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            sb.append("  ".repeat(i + 2))
                    .append("- group: g")
                    .append(i)
                    .append('\n')
                    .append("  ".repeat(i + 3))
                    .append("steps:\n");
        }
        return sb.append("  ".repeat(depth + 2))
                .append("- command: echo deep\n")
                .toString();
    }

    private static List<Object> steps(FuzzValues fuzz, int depth) {
        List<Object> steps = new ArrayList<>();
        for (int i = fuzz.nextInt(5); i > 0; i--) {
            if (fuzz.chance(0.1)) {
                steps.add(fuzz.pick(List.of("wait", "block", fuzz.string())));
                continue;
            }
            Map<String, Object> step = new LinkedHashMap<>();
            for (int k = 1 + fuzz.nextInt(5); k > 0; k--) {
                String key = fuzz.pick(STEP_KEYS);
                step.put(
                        key,
                        switch (key) {
                            case "steps" -> depth > 0 ? steps(fuzz, depth - 1) : fuzz.value(1);
                            case "plugins" ->
                                fuzz.chance(0.5)
                                        ? List.of(java.util.Collections.singletonMap("kubernetes", fuzz.value(3)))
                                        : fuzz.value(2);
                            case "parallelism", "priority" -> fuzz.chance(0.5) ? fuzz.number() : fuzz.value(1);
                            case "command" -> fuzz.chance(0.6) ? "echo " + fuzz.string() : fuzz.value(2);
                            default -> fuzz.value(2);
                        });
            }
            steps.add(step);
        }
        return steps;
    }

    /** Edits the text: drops, repeats or re-indents a line, inserts anchors, aliases or odd characters, truncates. */
    private static String mutateText(FuzzValues fuzz, String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        int i = fuzz.nextInt(lines.size());
        String line = lines.get(i);
        switch (fuzz.nextInt(8)) {
            case 0 -> lines.remove(i);
            case 1 -> lines.add(i, line);
            case 2 -> lines.set(i, " ".repeat(fuzz.nextInt(6)) + line.strip());
            case 3 -> lines.set(i, line.replaceFirst(":( |$)", ": &x$1"));
            case 4 -> lines.set(i, line.replaceFirst(": .*", ": *x"));
            case 5 -> lines.set(i, line + fuzz.string());
            case 6 ->
                lines.set(
                        i,
                        line.replaceFirst(
                                "[a-z]",
                                java.util.regex.Matcher.quoteReplacement(fuzz.randomUnicode(1 + fuzz.nextInt(3)))));
            default -> {
                return text.substring(0, fuzz.nextInt(text.length() + 1));
            }
        }
        return String.join("\n", lines);
    }

    /** Reads within the hang guard; then every readable job builds into a valid Job or fails with a reason. */
    static void check(String yaml) {
        FuzzValues.withinLimit(LIMIT, () -> {
            AtomicInteger n = new AtomicInteger();
            PipelineReader reader = new PipelineReader(
                    PipelineContext.local("org", "pipe"),
                    () -> String.format("0198c0de-1111-4222-8333-%012d", n.incrementAndGet()));
            List<PipelineJob> jobs;
            try {
                jobs = reader.readEach(yaml);
            } catch (PipelineException e) {
                assertThat(e.getMessage()).as("why the file cannot be read").isNotBlank();
                return null;
            }
            for (PipelineJob job : jobs) {
                if (job.problem() != null) {
                    assertThat(job.problem()).as("why a step cannot be read").isNotBlank();
                    continue;
                }
                BuildResult result = PodSpecBuilder.build(job.job(), CONFIG);
                if (result.valid()) {
                    assertThat(ApiServerRules.violations(result.job()))
                            .as(() -> "what the API server would refuse in" + " the Job built from\n"
                                    + (yaml.length() > 3000 ? yaml.substring(0, 3000) + "..." : yaml))
                            .isEmpty();
                } else {
                    assertThat(result.reason())
                            .as("failure reason")
                            .isNotBlank()
                            .doesNotStartWith("agent-stack-camel could not build the Job");
                }
            }
            return null;
        });
    }

    private static List<String> examples() {
        try (Stream<Path> files = Files.list(Path.of("examples/pipelines"))) {
            List<String> out = new ArrayList<>();
            for (Path p : files.sorted().toList()) {
                out.add(Files.readString(p));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

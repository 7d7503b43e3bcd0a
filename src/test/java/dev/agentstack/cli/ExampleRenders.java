package dev.agentstack.cli;

import dev.agentstack.config.ConfigLoader;
import dev.agentstack.config.ControllerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Renders the example pipelines as {@code render} would, with fixed job uuids so the output is reproducible. A
 * pipeline {@code examples/pipelines/NAME.yaml} uses {@code examples/configs/NAME.yaml} as its config when there is
 * one.
 */
record ExampleRenders(String name, Path pipeline, Path config, int exitCode, String stdout, String stderr) {

    static final Path PIPELINES = Path.of("examples/pipelines");
    static final Path CONFIGS = Path.of("examples/configs");
    static final Path RENDERED = Path.of("examples/rendered");

    static List<Path> pipelines() {
        try (Stream<Path> files = Files.list(PIPELINES)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Job uuids 00000000-0000-4000-8000-000000000001, ...: valid, distinct and the same on every run. */
    static Supplier<String> fixedUuids() {
        AtomicInteger n = new AtomicInteger();
        return () -> String.format("00000000-0000-4000-8000-%012d", n.incrementAndGet());
    }

    static ExampleRenders render(Path pipeline) {
        String name = pipeline.getFileName().toString().replaceFirst("\\.yaml$", "");
        Path config = CONFIGS.resolve(name + ".yaml");
        boolean hasConfig = Files.exists(config);
        ControllerConfig controllerConfig =
                ConfigLoader.load(Map.of(), hasConfig ? config.toString() : null, Map.of(), false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = Render.run(
                    name, Files.readString(pipeline), controllerConfig, Render.Format.YAML, fixedUuids(), o, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ExampleRenders(
                name,
                pipeline,
                hasConfig ? config : null,
                exit,
                out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    /** The golden file: how it was made, the exit code and stderr as comments, then the Jobs. */
    String golden() {
        StringBuilder sb = new StringBuilder();
        sb.append("# java -jar target/agent-stack-camel.jar render ")
                .append(config != null ? "--config " + config + " " : "")
                .append(pipeline)
                .append('\n');
        sb.append("# (job uuids fixed for the comparison; regenerate with"
                + " mvn -B -q test -Dtest=RenderGoldenTest -Dgolden.update=true)\n");
        sb.append("# exit code: ").append(exitCode).append('\n');
        stderr.lines().forEach(line -> sb.append("# stderr: ").append(line).append('\n'));
        return sb.append(stdout).toString();
    }
}

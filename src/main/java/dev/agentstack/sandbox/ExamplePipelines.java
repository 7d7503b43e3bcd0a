package dev.agentstack.sandbox;

import dev.agentstack.runtime.ClasspathFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The pipelines of {@code examples/pipelines}: from the working directory when it has them (so edits show up without a
 * rebuild), else from the copy packaged in the jar. Sorted by file name.
 */
public final class ExamplePipelines {

    public static final String FOLDER = "examples/pipelines";

    private ExamplePipelines() {}

    public static Map<String, String> load() {
        Path local = Path.of(FOLDER);
        return Files.isDirectory(local)
                ? ClasspathFolder.read(local, ".yaml", ".yml")
                : ClasspathFolder.read(FOLDER, ".yaml", ".yml");
    }
}

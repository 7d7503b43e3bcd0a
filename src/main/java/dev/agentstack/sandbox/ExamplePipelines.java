package dev.agentstack.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The pipelines of {@code examples/pipelines}: from the working directory when it has them (so edits show up without a
 * rebuild), else from the copy packaged in the jar. Sorted by file name.
 */
public final class ExamplePipelines {

    public static final String FOLDER = "examples/pipelines";

    private ExamplePipelines() {
    }

    public static Map<String, String> load() {
        Path local = Path.of(FOLDER);
        if (Files.isDirectory(local)) {
            return read(local);
        }
        URL packaged = ExamplePipelines.class.getClassLoader().getResource(FOLDER);
        if (packaged == null) {
            return Map.of();
        }
        try {
            URI uri = packaged.toURI();
            if (uri.getScheme().equals("jar")) {
                try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                    return read(jar.getPath(FOLDER));
                }
            }
            return read(Path.of(uri));
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot read the packaged example pipelines: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> read(Path folder) {
        Map<String, String> pipelines = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                    pipelines.put(name, Files.readString(f, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pipelines;
    }
}

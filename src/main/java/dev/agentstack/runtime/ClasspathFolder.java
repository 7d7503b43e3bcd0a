package dev.agentstack.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reads the files of a folder packaged with the application, from the jar or from target/classes. */
public final class ClasspathFolder {

    private ClasspathFolder() {}

    /** The folder's files whose names end with one of the suffixes, by name, sorted. */
    public static Map<String, String> read(String folder, String... suffixes) {
        URL url = ClasspathFolder.class.getClassLoader().getResource(folder);
        if (url == null) {
            return Map.of();
        }
        try {
            URI uri = url.toURI();
            if (!uri.getScheme().equals("jar")) {
                return read(Path.of(uri), suffixes);
            }
            try {
                return read(FileSystems.getFileSystem(uri).provider().getPath(uri), suffixes);
            } catch (FileSystemNotFoundException notOpen) {
                try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                    return read(jar.getPath(folder), suffixes);
                }
            }
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot read the packaged folder " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The files of a folder on disk whose names end with one of the suffixes, by name, sorted. */
    public static Map<String, String> read(Path folder, String... suffixes) {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(folder)) {
            for (Path f : list.toList()) {
                String name = f.getFileName().toString();
                for (String suffix : suffixes) {
                    if (name.endsWith(suffix)) {
                        files.put(name, Files.readString(f, StandardCharsets.UTF_8));
                        break;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }
}

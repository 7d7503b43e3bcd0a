package dev.agentstack.runtime;

import dev.agentstack.config.ConfigException;
import dev.agentstack.config.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The routes a user adds from {@code routes-dir} (the chart mounts its {@code routes:} values there). A user file named
 * like a built-in route replaces that route; any other file adds routes.
 */
final class UserRoutes {

    /** Where the flow is read from: the routes/ folder of the repository, packaged into the jar. */
    static final String BUILT_IN = "routes";

    private final Path dir;
    private final List<String> files;

    private UserRoutes(Path dir, List<String> files) {
        this.dir = dir;
        this.files = files;
    }

    static UserRoutes of(String routesDir) {
        if (routesDir == null || routesDir.isBlank()) {
            return new UserRoutes(null, List.of());
        }
        Path dir = Path.of(routesDir).toAbsolutePath();
        if (!Files.isDirectory(dir)) {
            throw new ConfigException(Options.ROUTES_DIR, "no such folder: " + routesDir);
        }
        try (Stream<Path> list = Files.list(dir)) {
            return new UserRoutes(dir, list.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") || n.endsWith(".yml")).sorted().toList());
        } catch (IOException e) {
            throw new ConfigException(Options.ROUTES_DIR, "cannot be read: " + e.getMessage());
        }
    }

    /** The built-in routes the user did not replace, then the user's. */
    String includePattern() {
        List<String> patterns = new ArrayList<>();
        for (String builtIn : ClasspathFolder.read(BUILT_IN, ".yaml").keySet()) {
            if (!files.contains(builtIn)) {
                patterns.add("classpath:" + BUILT_IN + "/" + builtIn);
            }
        }
        files.forEach(f -> patterns.add("file:" + dir.resolve(f)));
        return String.join(",", patterns);
    }
}

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
            return new UserRoutes(
                    dir,
                    list.map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".yaml") || n.endsWith(".yml"))
                            .sorted()
                            .toList());
        } catch (IOException e) {
            throw new ConfigException(Options.ROUTES_DIR, "cannot be read: " + e.getMessage());
        }
    }

    /**
     * A start-up failure that a user route caused, as a configuration error in one line (the command line prints it
     * and exits 2); null when routes-dir is unset or the failure is not about routes. A file that does not parse, an
     * unknown step, or an endpoint no component answers for all fail Camel's start.
     */
    ConfigException explain(Throwable startFailure) {
        if (dir == null || files.isEmpty()) {
            return null;
        }
        String route = null;
        boolean aboutRoutes = false;
        Throwable deepest = startFailure;
        for (Throwable t = startFailure; t != null; t = t.getCause()) {
            if (t instanceof org.apache.camel.FailedToCreateRouteException f) {
                route = f.getRouteId();
                aboutRoutes = true;
            }
            aboutRoutes |= String.valueOf(t.getMessage()).contains("file:" + dir);
            deepest = t;
        }
        if (!aboutRoutes) {
            return null;
        }
        return new ConfigException(
                Options.ROUTES_DIR, (route != null ? "route " + route + ": " : "") + oneLine(deepest.getMessage()));
    }

    /** A parser's message up to its code excerpt, in one line: "problem in file:..., line 6, column 11". */
    static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "cannot be loaded";
        }
        List<String> kept = new ArrayList<>();
        for (String line : message.strip().split("\\R")) {
            String t = line.strip();
            if (kept.size() == 2 || t.isEmpty() || t.equals("^")) {
                break;
            }
            kept.add(t.endsWith(":") && kept.size() == 1 ? t.substring(0, t.length() - 1) : t);
        }
        return String.join(" ", kept);
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

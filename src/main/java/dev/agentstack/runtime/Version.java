package dev.agentstack.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The controller's own version, from the Maven build. */
public final class Version {

    /** The product name, first in our User-Agent. */
    public static final String PRODUCT = "agent-stack-camel";

    private static final Properties BUILD = load();
    private static final String VERSION = property("version");
    private static final String BUILT = property("build");

    private Version() {}

    public static String get() {
        return VERSION;
    }

    /** When the jar was built (UTC), or "dev" for classes not built by Maven. */
    public static String build() {
        return BUILT;
    }

    /** What the version command prints: the product, its version and its build. */
    public static String line() {
        return PRODUCT + " " + VERSION + " (build " + BUILT + ")";
    }

    /** The User-Agent of every call we make to Buildkite, and of the Kubernetes client the controller makes. */
    public static String userAgent() {
        return PRODUCT + "/" + VERSION;
    }

    private static String property(String key) {
        String v = BUILD.getProperty(key, "dev");
        return v.startsWith("${") ? "dev" : v;
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // a jar without the file: version and build read "dev"
        }
        return p;
    }
}

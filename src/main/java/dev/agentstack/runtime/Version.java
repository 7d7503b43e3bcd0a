package dev.agentstack.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The controller's own version, from the Maven build. */
public final class Version {

    /** The product name, first in our User-Agent. */
    public static final String PRODUCT = "agent-stack-camel";
    private static final String VERSION = load();

    private Version() {
    }

    public static String get() {
        return VERSION;
    }

    /** The User-Agent of every call we make to Buildkite, and of the Kubernetes client the controller makes. */
    public static String userAgent() {
        return PRODUCT + "/" + VERSION;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            String v = p.getProperty("version", "dev");
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }
}

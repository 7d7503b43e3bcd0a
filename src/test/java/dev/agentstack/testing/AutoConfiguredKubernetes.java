package dev.agentstack.testing;

import dev.agentstack.sandbox.EmbeddedKubernetes;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.utils.Utils;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An embedded API server for each test, with fabric8's auto-configuration pointed at it through system properties,
 * for code under test that makes its own client (and never at a developer's kubeconfig or service account). Register
 * it with {@code @RegisterExtension}; the properties are cleared and the server closed after each test.
 */
public final class AutoConfiguredKubernetes implements BeforeEachCallback, AfterEachCallback {

    private EmbeddedKubernetes server;
    private Map<String, String> properties = Map.of();

    public EmbeddedKubernetes embedded() {
        return server;
    }

    /** fabric8 client settings (system property names) that reach the embedded server and nothing else. */
    public static Map<String, String> settings(EmbeddedKubernetes server) {
        return Map.of(
                Config.KUBERNETES_MASTER_SYSTEM_PROPERTY,
                server.url(),
                Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY,
                "false",
                Config.KUBERNETES_AUTH_TRYSERVICEACCOUNT_SYSTEM_PROPERTY,
                "false",
                Config.KUBERNETES_TRUST_CERT_SYSTEM_PROPERTY,
                "true");
    }

    /** The same settings as environment variables, for a process of its own (KUBERNETES_MASTER, as kubectl's). */
    public static void putEnvironment(Map<String, String> env, EmbeddedKubernetes server) {
        settings(server).forEach((name, value) -> env.put(Utils.convertSystemPropertyNameToEnvVar(name), value));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        server = new EmbeddedKubernetes();
        properties = settings(server);
        properties.forEach(System::setProperty);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        properties.keySet().forEach(System::clearProperty);
        server.close();
    }
}

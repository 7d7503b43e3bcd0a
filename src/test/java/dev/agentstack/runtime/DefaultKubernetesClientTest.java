package dev.agentstack.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.sandbox.EmbeddedKubernetes;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client the controller makes for itself, as the API server sees it. */
class DefaultKubernetesClientTest {

    private final EmbeddedKubernetes kubernetes = new EmbeddedKubernetes();
    private final Map<String, String> properties = Map.of(Config.KUBERNETES_MASTER_SYSTEM_PROPERTY, kubernetes.url(),
            Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY, "false",
            Config.KUBERNETES_AUTH_TRYSERVICEACCOUNT_SYSTEM_PROPERTY, "false",
            Config.KUBERNETES_TRUST_CERT_SYSTEM_PROPERTY, "true");

    @BeforeEach
    void autoConfigureForTheEmbeddedServer() {
        properties.forEach(System::setProperty);
    }

    @AfterEach
    void close() {
        properties.keySet().forEach(System::clearProperty);
        kubernetes.close();
    }

    @Test
    void itsCallsNameTheControllerAndItsVersion() throws Exception {
        while (kubernetes.server().takeRequest(0, TimeUnit.SECONDS) != null) {
            // requests made while the embedded server started
        }
        try (KubernetesClient client = Controller.defaultKubernetesClient()) {
            client.batch().v1().jobs().inNamespace("default").list();
        }
        assertThat(kubernetes.server().takeRequest(5, TimeUnit.SECONDS).getHeader("User-Agent"))
                .isEqualTo("agent-stack-camel/" + Version.get());
    }
}

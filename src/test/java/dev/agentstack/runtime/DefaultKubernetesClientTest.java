package dev.agentstack.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.testing.AutoConfiguredKubernetes;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client the controller makes for itself, as the API server sees it. */
class DefaultKubernetesClientTest {

    @RegisterExtension
    final AutoConfiguredKubernetes kubernetes = new AutoConfiguredKubernetes();

    @Test
    void itsCallsNameTheControllerAndItsVersion() throws Exception {
        while (kubernetes.embedded().server().takeRequest(0, TimeUnit.SECONDS) != null) {
            // requests made while the embedded server started
        }
        try (KubernetesClient client = Controller.defaultKubernetesClient()) {
            client.batch().v1().jobs().inNamespace("default").list();
        }
        assertThat(kubernetes
                        .embedded()
                        .server()
                        .takeRequest(5, TimeUnit.SECONDS)
                        .getHeader("User-Agent"))
                .isEqualTo("agent-stack-camel/" + Version.get());
    }
}

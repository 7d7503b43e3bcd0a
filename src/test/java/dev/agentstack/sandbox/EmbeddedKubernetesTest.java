package dev.agentstack.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.testing.LogCapture;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The in-process API server of the demo and the tests. */
class EmbeddedKubernetesTest {

    /** Holds the mock server's event loop on one request, longer than Vert.x's 2 s limit. */
    private static Dispatcher stallingOn(String name, Dispatcher delegate) {
        return new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getPath().contains(name)) {
                    try {
                        new CountDownLatch(1).await(3500, TimeUnit.MILLISECONDS); // the stall itself
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return delegate.dispatch(request);
            }
        };
    }

    @Test
    void aBusyMockServerPrintsNoThreadBlockedWarning() {
        try (LogCapture logs = new LogCapture();
                EmbeddedKubernetes kubernetes = new EmbeddedKubernetes(d -> stallingOn("slow-one", d))) {
            assertThat(kubernetes
                            .client()
                            .configMaps()
                            .inNamespace("default")
                            .withName("slow-one")
                            .get())
                    .isNull();
            assertThat(logs.lines())
                    .noneMatch(l -> l.contains("has been blocked") || l.contains("Thread blocked"))
                    .noneMatch(l -> l.startsWith("WARN"));
        }
    }
}

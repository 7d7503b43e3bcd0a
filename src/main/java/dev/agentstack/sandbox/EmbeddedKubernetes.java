package dev.agentstack.sandbox;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.function.UnaryOperator;

/**
 * A Kubernetes API server in the process: fabric8's mock server in CRUD mode. It stores objects, enforces unique names
 * (409 on a second create) and serves watches, but runs no controllers: nothing makes pods for Jobs on its own.
 * Expectations set on {@link #server()} take precedence over the stored objects, for injecting faults.
 */
public final class EmbeddedKubernetes implements AutoCloseable {

    /** Held so the level sticks: the mock server logs every request at INFO through java.util.logging. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final KubernetesMockServer server;
    private final NamespacedKubernetesClient client;

    public EmbeddedKubernetes() {
        this(d -> d);
    }

    /**
     * @param wrap wraps the server's request handling, e.g. to inject faults or record requests (the soak does both)
     */
    public EmbeddedKubernetes(UnaryOperator<Dispatcher> wrap) {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        MockWebServer http = new MockWebServer();
        MockServerStalls.reportQuietly(http);
        server = new KubernetesMockServer(
                new Context(Serialization.jsonMapper()),
                http,
                responses,
                wrap.apply(new EventFieldSelectors(new KubernetesMixedDispatcher(responses))),
                false);
        server.init();
        client = server.createClient();
    }

    public KubernetesMockServer server() {
        return server;
    }

    /** A client of this API server; the controller under test gets its own from {@link #newClient()}. */
    public NamespacedKubernetesClient client() {
        return client;
    }

    public NamespacedKubernetesClient newClient() {
        return server.createClient();
    }

    public String url() {
        return server.url("/");
    }

    @Override
    public void close() {
        client.close();
        try {
            server.destroy();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the server's event loop had already terminated while destroy waited for it: it is stopped
        }
    }
}

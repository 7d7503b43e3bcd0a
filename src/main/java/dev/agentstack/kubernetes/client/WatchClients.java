package dev.agentstack.kubernetes.client;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder.ExecutorSupplier;
import io.fabric8.kubernetes.client.impl.BaseClient;
import io.fabric8.kubernetes.client.impl.KubernetesClientImpl;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Clients derived from a context's client for one watched kind each: they share its configuration and HTTP
 * connections, and deliver their watches' and informers' events on one thread of their own.
 * <p>
 * fabric8's default executor hands each event from one pooled thread to another twice; on one thread a burst of events
 * follows on without a hand-off. Each kind has its own thread, so a slow handler of Pod events never delays the Job
 * events that free in-flight slots; the thread ends after a minute without events.
 * <p>
 * Never closed on their own, as closing one would close the shared HTTP client; they live as long as the client they
 * were derived from.
 */
public final class WatchClients {

    /** How long an event thread waits for the next event before it ends. */
    private static final long IDLE_SECONDS = 60;

    private static final Map<KubernetesClient, Map<String, KubernetesClient>> DERIVED = new WeakHashMap<>();

    private WatchClients() {}

    /**
     * The client derived from {@code client} for {@code kind} (one per client and kind), reading JSON with the
     * serialization {@code serialization} makes from the client's own; the client itself when it is not fabric8's own
     * implementation (a test double).
     *
     * @param kind names the event thread: {@code k8s-<kind>-events}
     */
    public static synchronized KubernetesClient of(
            KubernetesClient client, String kind, Function<KubernetesClient, KubernetesSerialization> serialization) {
        try {
            client.adapt(BaseClient.class);
        } catch (RuntimeException e) {
            return client;
        }
        return DERIVED.computeIfAbsent(client, c -> new HashMap<>())
                .computeIfAbsent(
                        kind,
                        k -> new KubernetesClientImpl(
                                client.getHttpClient(),
                                client.getConfiguration(),
                                eventThread(k),
                                serialization.apply(client)));
    }

    /** One thread, started on demand and ended when idle, so a client that is never closed leaks no thread. */
    private static ExecutorSupplier eventThread(String kind) {
        ThreadPoolExecutor executor =
                new ThreadPoolExecutor(0, 1, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "k8s-" + kind + "-events");
                    thread.setDaemon(true);
                    return thread;
                });
        return () -> executor;
    }
}

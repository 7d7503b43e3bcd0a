package dev.agentstack.soak;

import dev.agentstack.runtime.Version;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps the embedded API server for the soak: records every Job creation it stored (by Job name, the API server's own
 * record of what was created) and injects faults: a share of Job creations answered 500 without storing the Job, a
 * share stored but answered 500 (the answer was lost), and a share of the controllers' watches closed by the server
 * after a while. The soak's own watches (its count of unfinished Jobs, the cluster simulator) are never dropped: the
 * mock server does not replay the events a reconnecting watch missed, as a real API server does from its
 * resourceVersion, so a dropped one would lose Jobs the controllers handled correctly.
 */
final class KubernetesChaos extends Dispatcher {

    private final Dispatcher delegate;
    private final double createFailShare;
    private final double createLostAnswerShare;
    private final double watchDropShare;
    private final Random random;
    private final ScheduledExecutorService dropper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "soak-watch-dropper");
        t.setDaemon(true);
        return t;
    });
    /** Job name -> how many times the API server stored a new Job of that name. */
    final Map<String, AtomicInteger> stored = new ConcurrentHashMap<>();
    /** Job name -> when (epoch ms) each store happened, to find a duplicate in the controllers' logs. */
    final Map<String, List<Long>> storedAt = new ConcurrentHashMap<>();
    /** Job names, in the order the API server stored them. */
    final List<String> storedInOrder = new CopyOnWriteArrayList<>();
    /** Bodies of stored Jobs that held a string we must never send (checked by the soak). */
    final List<String> forbiddenSeen = new CopyOnWriteArrayList<>();

    final AtomicInteger createFailures = new AtomicInteger();
    final AtomicInteger lostAnswers = new AtomicInteger();
    final AtomicInteger watchesDropped = new AtomicInteger();
    private final List<String> forbidden;
    private volatile boolean faulty = true;

    KubernetesChaos(
            Dispatcher delegate,
            double createFailShare,
            double createLostAnswerShare,
            double watchDropShare,
            long seed,
            List<String> forbidden) {
        this.delegate = delegate;
        this.createFailShare = createFailShare;
        this.createLostAnswerShare = createLostAnswerShare;
        this.watchDropShare = watchDropShare;
        this.random = new Random(seed);
        this.forbidden = List.copyOf(forbidden);
    }

    /** Stops injecting faults (the end of the run, so it can settle). */
    void calm() {
        faulty = false;
    }

    int faults() {
        return createFailures.get() + lostAnswers.get() + watchesDropped.get();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath() == null ? "" : request.getPath();
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        if ("POST".equals(request.getMethod()) && bare.endsWith("/jobs")) {
            return createJob(request);
        }
        MockResponse response = delegate.dispatch(request);
        if (faulty
                && path.contains("watch=true")
                && response.getWebSocketListener() != null
                && fromController(request)
                && chance(watchDropShare)) {
            response.withWebSocketUpgrade(new Dropping(response.getWebSocketListener(), 2 + nextInt(20)));
        }
        return response;
    }

    /** The controller's Kubernetes client names itself in its User-Agent; the soak's clients are fabric8's default. */
    private static boolean fromController(RecordedRequest request) {
        String agent = request.getHeader("User-Agent");
        return agent != null && agent.startsWith(Version.PRODUCT + "/"); // any version of the jar under test
    }

    private MockResponse createJob(RecordedRequest request) {
        String body = request.getBody().readUtf8();
        if (faulty && chance(createFailShare)) {
            createFailures.incrementAndGet();
            return status(500, "InternalError", "injected by the soak: etcd is unhappy");
        }
        for (String f : forbidden) {
            if (body.contains(f)) {
                forbiddenSeen.add(body);
            }
        }
        MockResponse response = delegate.dispatch(new RecordedRequest(
                request.getHttpVersion(),
                request.method(),
                request.getPath(),
                request.getHeaders(),
                new Buffer().writeUtf8(body)));
        if (response.getStatus() != null && response.getStatus().contains(" 201")) {
            String name = Serialization.unmarshal(body, Job.class).getMetadata().getName();
            stored.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            storedInOrder.add(name);
            storedAt.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(System.currentTimeMillis());
            if (faulty && chance(createLostAnswerShare)) {
                lostAnswers.incrementAndGet();
                return status(500, "InternalError", "injected by the soak: the answer was lost");
            }
        }
        return response;
    }

    private synchronized boolean chance(double p) {
        return random.nextDouble() < p;
    }

    private synchronized int nextInt(int bound) {
        return random.nextInt(bound);
    }

    private static MockResponse status(int code, String reason, String message) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"" + message
                        + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}");
    }

    /** A watch that the server closes after a few seconds, as an API server restart or a load balancer would. */
    private final class Dropping extends WebSocketListener {
        private final WebSocketListener inner;
        private final int afterSeconds;

        Dropping(WebSocketListener inner, int afterSeconds) {
            this.inner = inner;
            this.afterSeconds = afterSeconds;
        }

        @Override
        public void onOpen(WebSocket ws, Response response) {
            inner.onOpen(ws, response);
            dropper.schedule(
                    () -> {
                        if (faulty) {
                            watchesDropped.incrementAndGet();
                            ws.close(1001, "dropped by the soak");
                        }
                    },
                    afterSeconds,
                    TimeUnit.SECONDS);
        }

        @Override
        public void onMessage(WebSocket ws, String text) {
            inner.onMessage(ws, text);
        }

        @Override
        public void onMessage(WebSocket ws, byte[] bytes) {
            inner.onMessage(ws, bytes);
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            inner.onClosing(ws, code, reason);
        }

        @Override
        public void onClosed(WebSocket ws, int code, String reason) {
            inner.onClosed(ws, code, reason);
        }

        @Override
        public void onFailure(WebSocket ws, Throwable t, Response response) {
            inner.onFailure(ws, t, response);
        }
    }

    @Override
    public void shutdown() {
        dropper.shutdownNow();
        delegate.shutdown();
    }
}

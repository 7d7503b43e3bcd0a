package dev.agentstack.sandbox;

import io.fabric8.mockwebserver.MockWebServer;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.impl.btc.BlockedThreadEvent;
import java.lang.reflect.Field;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mock API server answers every call of the demo and the tests on its own Vert.x event loop, and on a loaded
 * machine a burst of watch events can hold that loop past Vert.x's 2 s limit: Vert.x then logs "Thread blocked" with a
 * stack trace, although the stall is the test double's, not the controller's. This installs a blocked-thread handler on
 * the mock server's Vert.x only, which logs such a stall at debug and only a long one as a warning; the controller's
 * own Vert.x instances (management server, Kubernetes client) keep the default checker.
 */
final class MockServerStalls {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKubernetes.class);
    /** Long enough that the mock server is no longer answering in any useful sense. */
    static final Duration WORTH_A_WARNING = Duration.ofSeconds(30);

    private MockServerStalls() {}

    static void reportQuietly(MockWebServer server) {
        try {
            // fabric8 creates the server's Vert.x itself with default options and offers no way to pass others.
            Field field = MockWebServer.class.getDeclaredField("vertx");
            field.setAccessible(true);
            VertxInternal vertx = (VertxInternal) field.get(server);
            vertx.blockedThreadChecker().setThreadBlockedHandler(MockServerStalls::report);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("mock API server: keeping Vert.x's default blocked-thread warnings ({})", e.toString());
        }
    }

    static void report(BlockedThreadEvent event) {
        long millis = Duration.ofNanos(event.duration()).toMillis();
        if (millis >= WORTH_A_WARNING.toMillis()) {
            LOG.warn(
                    "the embedded Kubernetes API server's event loop {} has not answered for {} ms",
                    event.thread().getName(),
                    millis);
        } else {
            LOG.debug(
                    "the embedded Kubernetes API server's event loop {} was busy for {} ms",
                    event.thread().getName(),
                    millis);
        }
    }
}

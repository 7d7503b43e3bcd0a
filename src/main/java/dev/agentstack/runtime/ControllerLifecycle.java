package dev.agentstack.runtime;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the controller stops and with what exit code. Routes call {@link #fail(String)} for conditions no retry can
 * fix (the organization does not exist); the command line waits on {@link #awaitStopRequest(long)}.
 */
public final class ControllerLifecycle {

    /** Exit code for configuration the controller cannot work with, as for invalid options. */
    public static final int EXIT_CONFIG_ERROR = 2;

    private static final Logger LOG = LoggerFactory.getLogger("dev.agentstack.controller");

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicReference<String> failure = new AtomicReference<>();

    /** Stops the controller: logs the message once and makes the process exit with {@link #EXIT_CONFIG_ERROR}. */
    public void fail(String message) {
        if (failure.compareAndSet(null, message)) {
            LOG.error("{}", message);
        }
        stopRequested.countDown();
    }

    public void requestStop() {
        stopRequested.countDown();
    }

    /** Waits until a stop is requested; returns false when the timeout passed first. */
    public boolean awaitStopRequest(long millis) throws InterruptedException {
        return stopRequested.await(millis, TimeUnit.MILLISECONDS);
    }

    public boolean isStopRequested() {
        return stopRequested.getCount() == 0;
    }

    /** The fatal message, or null when the controller stopped normally. */
    public String failure() {
        return failure.get();
    }

    public int exitCode() {
        return failure.get() == null ? 0 : EXIT_CONFIG_ERROR;
    }
}

package dev.agentstack.logging;

import org.slf4j.MDC;

/**
 * The fields a log line carries besides its component (the logger): the queue and the Buildkite job uuid, as MDC
 * entries, so json and logfmt lines can be filtered by them. Set only around the lines that concern one queue or job,
 * and removed after, because threads are shared by every queue's routes.
 */
public final class LogFields {

    public static final String QUEUE = "queue";
    public static final String JOB = "job";

    private LogFields() {}

    /** Runs {@code logging} with the queue and job fields set (either may be null: not set). */
    public static void with(String queue, String job, Runnable logging) {
        String previousQueue = MDC.get(QUEUE);
        String previousJob = MDC.get(JOB);
        put(QUEUE, queue);
        put(JOB, job);
        try {
            logging.run();
        } finally {
            restore(QUEUE, queue, previousQueue);
            restore(JOB, job, previousJob);
        }
    }

    private static void put(String key, String value) {
        if (value != null) {
            MDC.put(key, value);
        }
    }

    private static void restore(String key, String value, String previous) {
        if (value == null) {
            return;
        }
        if (previous == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, previous);
        }
    }
}

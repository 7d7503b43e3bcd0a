package dev.agentstack.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Adjusts log levels from the options (the base configuration is logback.xml). */
final class Logging {

    private Logging() {
    }

    static void configure(boolean debug) {
        if (debug) {
            level("dev.agentstack", Level.DEBUG);
        }
    }

    /** Demo mode prints its own lines; keep the framework quiet around them. */
    static void quietForDemo() {
        level("org.apache.camel", Level.WARN);
        level("dev.agentstack.scheduler", Level.WARN);
        level("dev.agentstack.watch", Level.ERROR);
    }

    private static void level(String name, Level level) {
        if (LoggerFactory.getLogger(name) instanceof Logger logger) {
            logger.setLevel(level);
        }
    }
}

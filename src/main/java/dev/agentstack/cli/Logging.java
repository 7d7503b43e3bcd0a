package dev.agentstack.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import dev.agentstack.logging.LogFormat;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/** Sets the shape and level of log lines from the options (the base configuration is logback.xml). */
final class Logging {

    /** The appender of logback.xml whose encoder the log-format option replaces. */
    static final String APPENDER = "STDOUT";

    private Logging() {}

    /** @param level debug, info, warn or error: our own loggers' level (libraries stay at logback.xml's) */
    static void configure(String format, String level) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        if (root.getAppender(APPENDER) instanceof ConsoleAppender<ILoggingEvent> console) {
            console.stop();
            console.setEncoder(LogFormat.of(format).encoder(context));
            console.start();
        }
        Level wanted = Level.toLevel(level.toUpperCase(Locale.ROOT));
        level("dev.agentstack", wanted);
        // Above info, the framework's start-up and shutdown lines go too; at debug our lines are what is wanted.
        if (wanted.isGreaterOrEqual(Level.WARN)) {
            level("org.apache.camel", wanted);
            root.setLevel(wanted);
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

package dev.agentstack.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Keeps the tokens out of every log line, whoever writes it: our code never logs them, but libraries do at debug level
 * (Camel prints resolved property placeholders, a Kamelet's token among them). A log event whose message, arguments or
 * exception chain holds a registered secret is replaced by the same event with the secret masked.
 */
public final class SecretRedaction extends TurboFilter {

    static final String MASK = "[REDACTED]";
    /** Shorter values would mask ordinary words; real tokens are far longer. */
    static final int MIN_SECRET_LENGTH = 8;

    private static final Set<String> SECRETS = new CopyOnWriteArraySet<>();
    private static final ThreadLocal<Boolean> RELOGGING = ThreadLocal.withInitial(() -> false);

    /** Masks this value in every later log event (installs the filter on first use). */
    public static void register(String secret) {
        if (secret == null || secret.length() < MIN_SECRET_LENGTH || !SECRETS.add(secret)) {
            return;
        }
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
                && context.getTurboFilterList().stream().noneMatch(SecretRedaction.class::isInstance)) {
            synchronized (SecretRedaction.class) {
                if (context.getTurboFilterList().stream().noneMatch(SecretRedaction.class::isInstance)) {
                    SecretRedaction filter = new SecretRedaction();
                    filter.start();
                    context.addTurboFilter(filter);
                }
            }
        }
    }

    /** The text with every registered secret masked. */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (String secret : SECRETS) {
            result = result.replace(secret, MASK);
        }
        return result;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format == null
                || RELOGGING.get()
                || SECRETS.isEmpty()
                || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
            return FilterReply.NEUTRAL;
        }
        var formatted = MessageFormatter.arrayFormat(format, params, t);
        String message = formatted.getMessage();
        Throwable thrown = t != null ? t : formatted.getThrowable();
        boolean inMessage = !redact(message).equals(message);
        boolean inThrowable = thrown != null && holdsSecret(thrown);
        if (!inMessage && !inThrowable) {
            return FilterReply.NEUTRAL;
        }
        RELOGGING.set(true);
        try {
            logger.log(
                    marker,
                    Logger.FQCN,
                    Level.toLocationAwareLoggerInteger(level),
                    redact(message),
                    null,
                    inThrowable ? redacted(thrown) : thrown);
        } finally {
            RELOGGING.set(false);
        }
        return FilterReply.DENY;
    }

    private static boolean holdsSecret(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String text = String.valueOf(c.getMessage());
            if (!redact(text).equals(text)) {
                return true;
            }
        }
        return false;
    }

    /** A copy of the chain with masked messages and the original stack traces. */
    private static Throwable redacted(Throwable t) {
        Throwable copy = new RedactedThrowable(
                t.getClass().getName(),
                redact(t.getMessage()),
                t.getCause() == null || t.getCause() == t ? null : redacted(t.getCause()));
        copy.setStackTrace(t.getStackTrace());
        return copy;
    }

    private static final class RedactedThrowable extends Throwable {
        private final String type;

        RedactedThrowable(String type, String message, Throwable cause) {
            super(message, cause, false, true);
            this.type = type;
        }

        @Override
        public String toString() {
            return getMessage() == null ? type : type + ": " + getMessage();
        }
    }
}

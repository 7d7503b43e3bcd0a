package dev.agentstack.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

/**
 * Keeps stack traces for ERROR lines only. Below ERROR an exception is a condition the controller retries or works
 * around (libraries such as fabric8 attach one to every failed reconnect), so the line keeps the message and gains the
 * exception's root cause in one short clause instead of forty lines of frames.
 */
public final class BriefExceptionsEncoder extends EncoderBase<ILoggingEvent> {

    private final Encoder<ILoggingEvent> encoder;

    public BriefExceptionsEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    @Override
    public byte[] headerBytes() {
        return encoder.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return encoder.encode(brief(event));
    }

    @Override
    public byte[] footerBytes() {
        return encoder.footerBytes();
    }

    @Override
    public void start() {
        encoder.start();
        super.start();
    }

    @Override
    public void stop() {
        encoder.stop();
        super.stop();
    }

    /** The event itself at ERROR or without an exception; else a copy whose message ends with the root cause. */
    static ILoggingEvent brief(ILoggingEvent event) {
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown == null || event.getLevel().isGreaterOrEqual(Level.ERROR)) {
            return event;
        }
        LoggingEvent copy = new LoggingEvent();
        copy.setLoggerContext(null);
        copy.setLoggerName(event.getLoggerName());
        copy.setLevel(event.getLevel());
        copy.setThreadName(event.getThreadName());
        copy.setInstant(event.getInstant());
        copy.setMDCPropertyMap(event.getMDCPropertyMap());
        copy.setLoggerContextRemoteView(event.getLoggerContextVO());
        copy.setMessage(event.getFormattedMessage() + " (" + rootCause(thrown) + ")");
        return copy;
    }

    /** "SimpleName: message" of the innermost cause, which names what actually went wrong. */
    static String rootCause(IThrowableProxy thrown) {
        IThrowableProxy root = thrown;
        for (int depth = 0; root.getCause() != null && depth < 20; depth++) {
            root = root.getCause();
        }
        String name = root.getClassName().substring(root.getClassName().lastIndexOf('.') + 1);
        return root.getMessage() == null ? name : name + ": " + root.getMessage();
    }
}

package dev.agentstack.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import java.util.Locale;

/**
 * The shapes of a log line (option log-format). Every shape carries the time, level, component (the logger) and the
 * MDC fields the code sets ({@link LogFields}); JSON is logback's own encoder, one object a line.
 */
public enum LogFormat {
    TEXT("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%logger{36}] %msg%replace( %mdc){' $', ''}%n"),
    LOGFMT("time=%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} level=%level component=%logger"
            + "%replace(%replace( %mdc){', ', ' '}){'^ $', ''}"
            + " msg=\"%replace(%replace(%msg){'\\\\', '\\\\\\\\'}){'\"', '\\\\\"'}\"%n"),
    JSON(null);

    private final String pattern;

    LogFormat(String pattern) {
        this.pattern = pattern;
    }

    public static LogFormat of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** A started encoder for this shape that keeps stack traces for ERROR lines only. */
    public Encoder<ILoggingEvent> encoder(LoggerContext context) {
        Encoder<ILoggingEvent> inner;
        if (this == JSON) {
            JsonEncoder json = new JsonEncoder();
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.setWithFormattedMessage(true);
            inner = json;
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(pattern);
            inner = text;
        }
        inner.setContext(context);
        BriefExceptionsEncoder brief = new BriefExceptionsEncoder(inner);
        brief.setContext(context);
        brief.start();
        return brief;
    }
}

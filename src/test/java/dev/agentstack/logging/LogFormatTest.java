package dev.agentstack.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The three shapes of a log line: component and MDC fields in each, and stack traces on ERROR lines only. */
class LogFormatTest {

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Logger logger = context.getLogger("dev.agentstack.scheduler");

    private LoggingEvent event(Level level, String message, Throwable thrown) {
        LoggingEvent e = new LoggingEvent(Logger.class.getName(), logger, level, message, thrown, null);
        e.setMDCPropertyMap(Map.of("queue", "linux", "job", "0190c8e4-7a2b-4c31-9d8e-2f5a6b7c8d9e"));
        return e;
    }

    private static String encode(LogFormat format, LoggingEvent event, LoggerContext context) {
        Encoder<ch.qos.logback.classic.spi.ILoggingEvent> encoder = format.encoder(context);
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    private static Throwable refused() {
        return new CompletionException(new ConnectException("Connection refused"));
    }

    @Test
    void jsonIsOneObjectALineWithComponentAndFields() throws Exception {
        String line = encode(LogFormat.JSON, event(Level.WARN, "watch failed", refused()), context);

        assertThat(line).endsWith("\n").doesNotContain("\tat ");
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("level").asText()).isEqualTo("WARN");
        assertThat(json.get("loggerName").asText()).isEqualTo("dev.agentstack.scheduler");
        assertThat(json.get("mdc").get("queue").asText()).isEqualTo("linux");
        assertThat(json.get("mdc").get("job").asText()).isEqualTo("0190c8e4-7a2b-4c31-9d8e-2f5a6b7c8d9e");
        assertThat(json.get("formattedMessage").asText())
                .isEqualTo("watch failed (ConnectException: Connection refused)");
    }

    @Test
    void anErrorKeepsItsStackTrace() throws Exception {
        String line = encode(LogFormat.JSON, event(Level.ERROR, "cannot start", refused()), context);

        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("throwable").toString()).contains("ConnectException", "stepArray");
        assertThat(encode(LogFormat.TEXT, event(Level.ERROR, "cannot start", refused()), context))
                .contains("\tat ");
    }

    @Test
    void textNamesTheComponentAndTheFields() {
        String line = encode(LogFormat.TEXT, event(Level.WARN, "watch failed", refused()), context);

        assertThat(line)
                .contains(" WARN  [dev.agentstack.scheduler] watch failed (ConnectException: Connection" + " refused) ")
                .contains("queue=linux")
                .contains("job=0190c8e4-7a2b-4c31-9d8e-2f5a6b7c8d9e")
                .doesNotContain("\tat ");
        assertThat(line.strip()).doesNotContain("\n");
    }

    @Test
    void logfmtQuotesTheMessageAndKeepsFieldsApart() {
        String line = encode(LogFormat.LOGFMT, event(Level.INFO, "created Job \"b-1\" in C:\\jobs", null), context);

        assertThat(line)
                .startsWith("time=")
                .contains(" level=INFO component=dev.agentstack.scheduler ")
                .contains(" queue=linux")
                .contains(" job=0190c8e4-7a2b-4c31-9d8e-2f5a6b7c8d9e")
                .endsWith(" msg=\"created Job \\\"b-1\\\" in C:\\\\jobs\"\n");
    }

    @Test
    void linesWithoutFieldsHaveNoEmptyOnes() {
        LoggingEvent e = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, "started", null, null);
        e.setMDCPropertyMap(Map.of());

        assertThat(encode(LogFormat.TEXT, e, context)).endsWith("[dev.agentstack.scheduler] started\n");
        assertThat(encode(LogFormat.LOGFMT, e, context)).contains("component=dev.agentstack.scheduler msg=\"started\"");
    }
}

package dev.agentstack.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.testing.LogCapture;
import dev.agentstack.testing.MutableClock;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** An API that keeps failing is one WARN line, a reminder a minute and one INFO line when it answers again. */
class OutageLogTest {

    private static final String LOGGER = "dev.agentstack.test.outage";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final OutageLog outage = new OutageLog(LoggerFactory.getLogger(LOGGER), clock, "the API answers again");

    @Test
    void anOutageOfFiveMinutesWithAFailureEverySecondIsSevenLines() {
        try (LogCapture logs = new LogCapture()) {
            for (int second = 0; second < 300; second++) {
                outage.failed("poll failed: connection refused");
                clock.advance(Duration.ofSeconds(1));
            }
            outage.succeeded();
            outage.succeeded();

            assertThat(logs.linesContaining(LOGGER))
                    .containsExactly(
                            "WARN [" + LOGGER + "] poll failed: connection refused",
                            "WARN [" + LOGGER + "] poll failed: connection refused (failing for 1m, 61 failures)",
                            "WARN [" + LOGGER + "] poll failed: connection refused (failing for 2m, 121 failures)",
                            "WARN [" + LOGGER + "] poll failed: connection refused (failing for 3m, 181 failures)",
                            "WARN [" + LOGGER + "] poll failed: connection refused (failing for 4m, 241 failures)",
                            "INFO [" + LOGGER + "] the API answers again after 300 failure(s) over 5m");
            assertThat(outage.isDown()).isFalse();
        }
    }

    @Test
    void aNewOutageStartsWithAWarningAgain() {
        try (LogCapture logs = new LogCapture()) {
            outage.failed("first");
            outage.succeeded();
            clock.advance(Duration.ofSeconds(5));
            outage.failed("second");

            assertThat(logs.linesContaining(LOGGER))
                    .containsExactly(
                            "WARN [" + LOGGER + "] first",
                            "INFO [" + LOGGER + "] the API answers again after 1 failure(s) over 0s",
                            "WARN [" + LOGGER + "] second");
            assertThat(outage.isDown()).isTrue();
        }
    }

    @Test
    void anExceptionIsNamedByItsInnermostCauseWithoutAStackTrace() {
        try (LogCapture logs = new LogCapture()) {
            outage.failed(
                    "watch of pods in default",
                    new CompletionException(new ConnectException("Connection refused: /127.0.0.1:1")));

            assertThat(logs.linesContaining(LOGGER))
                    .containsExactly("WARN [" + LOGGER
                            + "] watch of pods in default failed: Connection refused: /127.0.0.1:1; retrying");
        }
    }
}

package dev.agentstack.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "1s,1000",
        "10m,600000",
        "1h30m,5400000",
        "250ms,250",
        "1.5h,5400000",
        "0,0",
        "2m0s,120000",
        "1h2m3s,3723000",
        "500us,0"
    })
    void parsesGoDurations(String text, long millis) {
        assertThat(Durations.parse(text).toMillis()).isEqualTo(millis);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "1d", "s", "1 s", "1s2", "abc"})
    void rejectsWhatGoWouldReject(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("expected a duration such as 30s, 5m or 1h30m");
    }

    @ParameterizedTest
    @CsvSource({"1000,1s", "600000,10m", "5400000,1h30m", "250,250ms", "1500,1.5s", "0,0s", "3723000,1h2m3s"})
    void formatsTheShortestForm(long millis, String text) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
    }
}

package dev.agentstack.podspec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The agent's configuration as the agent reads it. */
class AgentConfigTest {

    @Test
    void goDurationsAreWrittenAsGoWritesThem() {
        assertThat(AgentConfig.goDuration(java.time.Duration.ofMinutes(5))).isEqualTo("5m0s");
        assertThat(AgentConfig.goDuration(java.time.Duration.ofHours(1))).isEqualTo("1h0m0s");
        assertThat(AgentConfig.goDuration(java.time.Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(AgentConfig.goDuration(java.time.Duration.ofMillis(300))).isEqualTo("300ms");
        assertThat(AgentConfig.goDuration(java.time.Duration.ofSeconds(90))).isEqualTo("1m30s");
    }
}

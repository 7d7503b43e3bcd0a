package dev.agentstack.buildkite.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StackJobStatesTest {

    @Test
    void aReservedJobStillWaitsForAnAgentAsAScheduledOneDoes() {
        assertThat(StackJobStates.of("u", "reserved").state()).isEqualTo("SCHEDULED");
        assertThat(StackJobStates.of("u", "scheduled").state()).isEqualTo("SCHEDULED");
        assertThat(StackJobStates.of("u", "running").state()).isEqualTo("RUNNING");
        assertThat(StackJobStates.of("u", "").state()).isNull();
        assertThat(StackJobStates.of("u", "canceled").cancellable())
                .as("no GraphQL id to cancel by")
                .isFalse();
    }

    @Test
    void canceledAndCancelingJobsAreTheCancelledOnes() {
        Map<String, String> states = new LinkedHashMap<>();
        states.put("a", "canceled");
        states.put("b", "running");
        states.put("c", "canceling");
        states.put("d", "");
        states.put("e", "scheduled");
        assertThat(StackJobStates.cancelled(states)).containsExactly("a", "c");
    }
}

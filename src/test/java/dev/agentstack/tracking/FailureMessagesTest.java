package dev.agentstack.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailureMessagesTest {

    static final Instant NOW = Instant.parse("2026-11-28T10:05:00Z");

    static Event event(String type, String reason, String message, int count, String first, String last) {
        return new EventBuilder()
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .withCount(count)
                .withFirstTimestamp(first)
                .withLastTimestamp(last)
                .build();
    }

    static Finding finding(Finding.EventsOf of) {
        return new Finding(
                "image_pull",
                "u1",
                "buildkite-u1",
                List.of("queue=kubernetes"),
                "buildkite-u1-x",
                "The following containers could not be created or their images could not be pulled:",
                List.of("CONTAINER", "IMAGE", "REASON", "MESSAGE"),
                List.of(List.of("container-0", "alpine:nope", "ErrImagePull", "not found")),
                of,
                1,
                true,
                true,
                false);
    }

    @Test
    void rendersTheTableAndThePodsWarningEventsOldestFirst() {
        String text = FailureMessages.render(
                finding(Finding.EventsOf.POD),
                List.of(
                        event(
                                "Warning",
                                "BackOff",
                                "Back-off pulling image \"alpine:nope\"",
                                4,
                                "2026-11-28T10:01:00Z",
                                "2026-11-28T10:04:30Z"),
                        event("Normal", "Pulling", "Pulling image", 1, "2026-11-28T10:00:00Z", "2026-11-28T10:00:00Z"),
                        event(
                                "Warning",
                                "Failed",
                                "Failed to pull image",
                                1,
                                "2026-11-28T10:00:30Z",
                                "2026-11-28T10:00:30Z")),
                NOW);
        assertThat(text).isEqualTo("""
                The following containers could not be created or their images could not be pulled:

                CONTAINER    IMAGE        REASON        MESSAGE
                container-0  alpine:nope  ErrImagePull  not found

                Warning events of pod buildkite-u1-x:

                LAST EVENT  REPEATED       TYPE     REASON   MESSAGE
                4m30s ago                  Warning  Failed   Failed to pull image
                30s ago     x4 over 3m30s  Warning  BackOff  Back-off pulling image "alpine:nope"
                """);
    }

    @Test
    void saysNoneOnlyWhenThereAreNoEvents() {
        assertThat(FailureMessages.render(finding(Finding.EventsOf.JOB), List.of(), NOW))
                .endsWith("\nEvents: none\n");
        assertThat(FailureMessages.render(
                        finding(Finding.EventsOf.JOB),
                        List.of(event("Normal", "SuccessfulCreate", "Created pod", 1, null, "2026-11-28T10:04:00Z")),
                        NOW))
                .contains("Events of Kubernetes job buildkite-u1:")
                .doesNotContain("none");
        assertThat(FailureMessages.render(
                        finding(Finding.EventsOf.POD),
                        List.of(event("Normal", "Pulling", "Pulling", 1, null, "2026-11-28T10:04:00Z")),
                        NOW))
                .endsWith("\nWarning events: none\n");
    }
}

package dev.agentstack.buildkite.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.buildkite.BuildkiteApiException;
import dev.agentstack.buildkite.stacks.StackNotifications.Notification;
import dev.agentstack.testing.LogCapture;
import dev.agentstack.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

class StackNotificationsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<String> stacks = new ArrayList<>();
    private final List<List<Notification>> sent = new ArrayList<>();

    private StackNotifications recording() {
        return new StackNotifications((stack, batch) -> {
            stacks.add(stack);
            sent.add(List.copyOf(batch));
            return List.of();
        }, clock, registry);
    }

    private double outcome(String outcome) {
        var c = registry.find("buildkite.stacks.notifications").tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void notesAreSentInPostsOfAtMostAThousandPerStackDatedWhenQueued() {
        StackNotifications notes = recording();
        for (int i = 0; i < 1500; i++) {
            notes.notify("linux", "job-" + i, "note " + i);
        }
        notes.notify("mac", "job-m", "on another stack");
        clock.advance(Duration.ofSeconds(5));

        notes.flush();

        assertThat(stacks).containsExactly("linux", "linux", "mac");
        assertThat(sent).extracting(List::size).containsExactly(1000, 500, 1);
        assertThat(sent.get(0).get(0)).isEqualTo(
                new Notification("job-0", "note 0", Instant.parse("2026-01-01T00:00:00Z")));
        assertThat(notes.queued()).isZero();
        assertThat(outcome("sent")).isEqualTo(1501);
        notes.flush();
        assertThat(sent).hasSize(3); // nothing queued, nothing sent
    }

    @Test
    void aLongDetailIsCroppedTo256Characters() {
        String cropped = StackNotifications.crop("x".repeat(300));
        assertThat(cropped).hasSize(256).endsWith("… (cropped)").startsWith("xxxx");
        assertThat(StackNotifications.crop("y".repeat(256))).isEqualTo("y".repeat(256));
        String emoji = "x".repeat(244) + "😀".repeat(20);
        assertThat(StackNotifications.crop(emoji)).hasSizeLessThanOrEqualTo(256)
                .doesNotContain("\uFFFD").endsWith("x… (cropped)");
    }

    @Test
    void aFullQueueDropsTheNoteInsteadOfWaiting() {
        StackNotifications notes = new StackNotifications((s, b) -> List.of(), clock, registry, 2);
        assertThat(notes.notify("q", "a", "1")).isTrue();
        assertThat(notes.notify("q", "b", "2")).isTrue();
        assertThat(notes.notify("q", "c", "3")).isFalse();
        assertThat(outcome("dropped_queue_full")).isEqualTo(1);
    }

    @Test
    void aRetryAfterHoldsBackLaterBatchesUntilItIsOverAndTheFailureIsLoggedOnce() {
        List<Integer> attempts = new ArrayList<>();
        StackNotifications notes = new StackNotifications((stack, batch) -> {
            attempts.add(batch.size());
            throw new RuntimeException(new HttpOperationFailedException("https://agent.buildkite.com/v3", 429,
                    "Too Many Requests", null, java.util.Map.of("Retry-After", "2"), "{\"message\":\"slow\"}"));
        }, clock, registry);
        try (LogCapture logs = new LogCapture()) {
            notes.notify("q", "a", "first");
            notes.flush();
            notes.notify("q", "b", "second");
            notes.flush(); // within the wait: not sent
            clock.advance(Duration.ofMillis(1500));
            notes.flush();
            assertThat(attempts).containsExactly(1);
            assertThat(notes.queued()).isEqualTo(1);

            clock.advance(Duration.ofSeconds(1));
            notes.flush();
            assertThat(attempts).containsExactly(1, 1);
            assertThat(logs.lines()).filteredOn(l -> l.contains("notification(s) failed")).hasSize(1);
        }
    }

    @Test
    void aFailedPostIsNotRetriedAndSendingGoesOn() {
        List<String> sentDetails = new ArrayList<>();
        StackNotifications notes = new StackNotifications((stack, batch) -> {
            if (batch.get(0).detail().equals("boom")) {
                throw new BuildkiteApiException("http_500", "HTTP 500");
            }
            batch.forEach(n -> sentDetails.add(n.detail()));
            return List.of();
        }, clock, registry);
        notes.notify("q", "a", "boom");
        notes.flush();
        notes.notify("q", "b", "fine");
        notes.flush();
        assertThat(sentDetails).containsExactly("fine");
        assertThat(outcome("failed")).isEqualTo(1);
    }

    @Test
    void whatIsQueuedAtShutdownIsDroppedAndNothingIsQueuedAfter() {
        StackNotifications notes = recording();
        notes.notify("q", "a", "late");
        notes.close();
        notes.flush();
        assertThat(notes.notify("q", "b", "later")).isFalse();
        assertThat(sent).isEmpty();
        assertThat(outcome("dropped_shutdown")).isEqualTo(1);
    }
}

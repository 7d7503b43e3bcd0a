package dev.agentstack.buildkite.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentstack.buildkite.BuildkiteApiException;
import dev.agentstack.testing.LogCapture;
import dev.agentstack.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class StackNotificationsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<String> stacks = new ArrayList<>();
    private final List<List<Notification>> sent = new ArrayList<>();

    private final AtomicBoolean ready = new AtomicBoolean(true);

    private StackNotifications notes(StackNotifications.Sender sender) {
        return new StackNotifications(
                sender, ready::get, q -> "stack-" + q, clock, registry, StackNotifications.MAX_QUEUED);
    }

    private StackNotifications recording() {
        return notes((stack, batch) -> {
            stacks.add(stack);
            sent.add(List.copyOf(batch));
            return List.of();
        });
    }

    private double outcome(String outcome) {
        var c = registry.find("buildkite.stacks.notifications")
                .tag("outcome", outcome)
                .counter();
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

        assertThat(stacks).containsExactly("stack-linux", "stack-linux", "stack-mac");
        assertThat(sent).extracting(List::size).containsExactly(1000, 500, 1);
        assertThat(sent.get(0).get(0))
                .isEqualTo(new Notification("job-0", "note 0", Instant.parse("2026-01-01T00:00:00Z")));
        assertThat(notes.queued()).isZero();
        assertThat(outcome("sent")).isEqualTo(1501);
        notes.flush();
        assertThat(sent).hasSize(3); // nothing queued, nothing sent
    }

    @Test
    void aFullQueueDropsTheNoteInsteadOfWaiting() {
        StackNotifications notes = new StackNotifications((s, b) -> List.of(), ready::get, q -> q, clock, registry, 2);
        assertThat(notes.notify("q", "a", "1")).isTrue();
        assertThat(notes.notify("q", "b", "2")).isTrue();
        assertThat(notes.notify("q", "c", "3")).isFalse();
        assertThat(outcome("dropped_queue_full")).isEqualTo(1);
    }

    @Test
    void whileRateLimitedNothingIsSentAndTheNotesWaitForALaterWindow() {
        StackNotifications notes = recording();
        notes.notify("q", "a", "first");
        ready.set(false);
        notes.flush();
        notes.flush();
        assertThat(sent).isEmpty();
        assertThat(notes.queued()).isEqualTo(1);

        ready.set(true);
        notes.flush();
        assertThat(sent).hasSize(1);
    }

    @Test
    void refusedNotesAreCountedAndAFailureIsLoggedOncePerOutage() {
        List<Integer> attempts = new ArrayList<>();
        StackNotifications notes = notes((stack, batch) -> {
            attempts.add(batch.size());
            if (attempts.size() == 3) {
                return List.of(new NotificationError("detail is required", List.of(0)));
            }
            throw new BuildkiteApiException("http_503", "Stacks API notifications answered 503: unavailable");
        });
        try (LogCapture logs = new LogCapture()) {
            for (int i = 0; i < 3; i++) {
                notes.notify("q", "job-" + i, "note");
                notes.flush();
            }
            assertThat(attempts).containsExactly(1, 1, 1);
            assertThat(logs.lines())
                    .filteredOn(l -> l.startsWith("WARN") && l.contains("notification(s) failed"))
                    .hasSize(1);
            assertThat(logs.lines())
                    .filteredOn(l -> l.startsWith("INFO") && l.contains("sent again"))
                    .hasSize(1);
            assertThat(outcome("refused")).isEqualTo(1);
            assertThat(outcome("failed")).isEqualTo(2);
        }
    }

    @Test
    void aFailedPostIsNotRetriedAndSendingGoesOn() {
        List<String> sentDetails = new ArrayList<>();
        StackNotifications notes = notes((stack, batch) -> {
            if (batch.get(0).detail().equals("boom")) {
                throw new BuildkiteApiException("http_500", "HTTP 500");
            }
            batch.forEach(n -> sentDetails.add(n.detail()));
            return List.of();
        });
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

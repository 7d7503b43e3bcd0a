package dev.agentstack.tracking;

import dev.agentstack.config.Durations;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Writes a finding as the text a failed Buildkite job shows in its log: what happened, the table, the events. */
public final class FailureMessages {

    private FailureMessages() {}

    /**
     * @param events the events whose involvedObject is the finding's pod or Job (as {@link Finding#eventsOf()} says)
     */
    public static String render(Finding f, List<Event> events, Instant now) {
        StringBuilder sb = new StringBuilder();
        sb.append(f.headline()).append('\n');
        if (!f.header().isEmpty()) {
            sb.append('\n').append(TextTable.render(f.header(), f.rows()));
        }
        if (f.eventsOf() != Finding.EventsOf.NONE) {
            boolean pod = f.eventsOf() == Finding.EventsOf.POD;
            List<Event> shown = events.stream()
                    .filter(e -> !pod || "Warning".equals(e.getType()))
                    .sorted(Comparator.comparing(
                            FailureMessages::lastSeen, Comparator.nullsFirst(Comparator.naturalOrder())))
                    .toList();
            String subject = pod ? "Warning events of pod " + f.podName() : "Events of Kubernetes job " + f.jobName();
            sb.append('\n');
            if (shown.isEmpty()) {
                sb.append(pod ? "Warning events: none\n" : "Events: none\n");
            } else {
                sb.append(subject).append(":\n\n").append(eventsTable(shown, now));
            }
        }
        return sb.toString();
    }

    static String eventsTable(List<Event> events, Instant now) {
        List<List<String>> rows = new ArrayList<>();
        for (Event e : events) {
            Instant last = lastSeen(e);
            Instant first = PodFailureClassifier.time(e.getFirstTimestamp());
            int count = e.getCount() == null ? 1 : e.getCount();
            String repeated = count > 1
                    ? "x" + count
                            + (first != null && last != null
                                    ? " over "
                                            + Durations.format(Duration.between(first, last)
                                                    .withNanos(0))
                                    : "")
                    : "";
            rows.add(List.of(
                    last == null
                            ? ""
                            : Durations.format(Duration.between(last, now).withNanos(0)) + " ago",
                    repeated,
                    e.getType() == null ? "" : e.getType(),
                    e.getReason() == null ? "" : e.getReason(),
                    e.getMessage() == null ? "" : e.getMessage()));
        }
        return TextTable.render(List.of("LAST EVENT", "REPEATED", "TYPE", "REASON", "MESSAGE"), rows);
    }

    private static Instant lastSeen(Event e) {
        Instant last = PodFailureClassifier.time(e.getLastTimestamp());
        if (last == null && e.getEventTime() != null) {
            last = PodFailureClassifier.time(e.getEventTime().getTime());
        }
        return last != null ? last : PodFailureClassifier.time(e.getFirstTimestamp());
    }
}

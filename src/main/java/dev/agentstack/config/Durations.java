package dev.agentstack.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written as the original controller wrote them (Go syntax: "1s", "10m", "1h30m", "250ms"). */
public final class Durations {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    private Durations() {}

    /** Parses a Go duration string; a bare "0" is zero. Throws IllegalArgumentException with a readable reason. */
    public static Duration parse(String text) {
        String s = text == null ? "" : text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("expected a duration such as 30s, 5m or 1h30m, got an empty value");
        }
        boolean negative = s.startsWith("-");
        String body = negative || s.startsWith("+") ? s.substring(1) : s;
        Matcher m = PART.matcher(body);
        int at = 0;
        BigDecimal nanos = BigDecimal.ZERO;
        while (at < body.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException(
                        "expected a duration such as 30s, 5m or 1h30m, got \"" + text + "\"");
            }
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
            at = m.end();
        }
        Duration d = Duration.ofNanos(nanos.longValue());
        return negative ? d.negated() : d;
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
        };
    }

    /** The shortest Go-style form: 1s, 10m, 1h30m, 250ms. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder(d.isNegative() ? "-" : "");
        Duration rest = d.abs();
        if (rest.toMillis() < 1000 && rest.toNanosPart() % 1_000_000 == 0 && rest.getSeconds() == 0) {
            return sb.append(rest.toMillis()).append("ms").toString();
        }
        long hours = rest.toHours();
        int minutes = rest.toMinutesPart();
        int seconds = rest.toSecondsPart();
        int millis = rest.toMillisPart();
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (minutes > 0) {
            sb.append(minutes).append('m');
        }
        if (seconds > 0 || millis > 0) {
            sb.append(seconds);
            if (millis > 0) {
                sb.append('.').append(String.format("%03d", millis).replaceAll("0+$", ""));
            }
            sb.append('s');
        }
        return sb.toString();
    }
}

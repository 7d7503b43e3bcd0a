package dev.agentstack.buildkite.stacks;

import java.nio.charset.StandardCharsets;

/** The sizes Buildkite allows a finish detail and a notification, cropped as its own client crops them. */
public final class Details {

    /** The most bytes of a finish detail Buildkite keeps. */
    public static final int FINISH_MAX_BYTES = 4096;

    static final String FINISH_CROPPED = "\u2026 (Message was cropped because it exceeded the max size)";
    /** The most bytes of a notification's detail kept before the crop mark. */
    public static final int NOTIFICATION_KEPT_BYTES = 242;

    static final String NOTIFICATION_CROPPED = "\u2026 (cropped)";

    private Details() {}

    /** At most 4096 bytes: over that, the first 4038 and the crop note. */
    public static String finish(String detail) {
        return crop(detail, FINISH_MAX_BYTES, FINISH_CROPPED);
    }

    /** At most 255 bytes: over that, the first 242 and {@code … (cropped)}. */
    public static String notification(String detail) {
        return crop(detail, NOTIFICATION_KEPT_BYTES + bytes(NOTIFICATION_CROPPED), NOTIFICATION_CROPPED);
    }

    private static String crop(String text, int maxBytes, String mark) {
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        if (raw.length <= maxBytes) {
            return text;
        }
        int keep = maxBytes - bytes(mark);
        while (keep > 0 && (raw[keep] & 0xC0) == 0x80) {
            keep--; // never cut a character in two
        }
        return new String(raw, 0, keep, StandardCharsets.UTF_8) + mark;
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}

package dev.agentstack.config;

import java.util.Collection;

/** The known name closest to a mistyped one, for "did you mean" hints. */
public final class NearestName {

    /**
     * Edits (insert, delete, change a character) beyond which a name is not a typo of another; short names allow
     * fewer, a third of their length rounded up, so "--foo" is not taken for "--id".
     */
    static final int MAX_EDITS = 3;

    private NearestName() {}

    /** The known name with the fewest edits from {@code name}, if close enough (see {@link #MAX_EDITS}); else null. */
    public static String of(String name, Collection<String> known) {
        String best = null;
        int bestEdits = Math.min(MAX_EDITS, (name.length() + 2) / 3) + 1;
        for (String k : known) {
            int edits = edits(name, k);
            if (edits < bestEdits) {
                best = k;
                bestEdits = edits;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    static int edits(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int change = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(change, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}

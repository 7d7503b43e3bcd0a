package dev.agentstack.podspec.policy;

import dev.agentstack.podspec.ImageReference;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The allowed-images option: glob patterns over the image's full name, as GitLab Runner's {@code allowed_images}:
 * {@code *} matches within one path segment, {@code **} across them. {@code alpine:3} is matched as
 * {@code docker.io/library/alpine:3}, so a short name cannot slip past a pattern for a registry.
 */
record ImagePatterns(List<String> globs, List<Pattern> patterns) {

    static ImagePatterns of(List<String> globs) {
        return new ImagePatterns(
                globs, globs.stream().map(ImagePatterns::compile).toList());
    }

    boolean anyAllowed() {
        return globs.isEmpty();
    }

    /** Whether the image may run; an image that does not parse is left to the builder's own image check. */
    boolean allows(String image) {
        if (anyAllowed()) {
            return true;
        }
        String full;
        try {
            full = ImageReference.parse(image).fullName();
        } catch (IllegalArgumentException e) {
            return true;
        }
        return patterns.stream().anyMatch(p -> p.matcher(full).matches());
    }

    static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}

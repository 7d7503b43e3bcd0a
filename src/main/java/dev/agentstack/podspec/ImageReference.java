package dev.agentstack.podspec;

import dev.agentstack.memory.Memo;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container image reference, parsed with the grammar of the Docker distribution project
 * ({@code [host[:port]/]path[:tag][@digest]}), which is what the kubelet accepts.
 */
public record ImageReference(String name, String tag, String digest) {

    private static final String ALPHANUMERIC = "[a-z0-9]+";
    private static final String SEPARATOR = "(?:[._]|__|[-]+)";
    private static final String PATH_COMPONENT = ALPHANUMERIC + "(?:" + SEPARATOR + ALPHANUMERIC + ")*";
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String HOST =
            "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:]+\\])";
    private static final String DOMAIN = HOST + "(?::[0-9]+)?";
    private static final String NAME = "(?:" + DOMAIN + "/)?" + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";
    private static final String TAG = "[\\w][\\w.-]{0,127}";
    private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    private static final Pattern REFERENCE = Pattern.compile("(" + NAME + ")(?::(" + TAG + "))?(?:@(" + DIGEST + "))?");
    private static final Pattern IMAGE_ID = Pattern.compile("[a-f0-9]{64}");
    private static final int MAX_NAME_LENGTH = 255;

    /** The reason every unparsable reference gives, as the original reports it. */
    static final String INVALID = "invalid reference format";

    /** Every Job names the same few images: each valid one is parsed once. */
    private static final Memo<String, ImageReference> PARSED = new Memo<>(1024, ImageReference::parseNew);

    /** Parses a reference; throws IllegalArgumentException with {@link #INVALID} when it does not parse. */
    public static ImageReference parse(String image) {
        if (image == null) {
            throw new IllegalArgumentException(INVALID);
        }
        return PARSED.apply(image);
    }

    private static ImageReference parseNew(String image) {
        if (IMAGE_ID.matcher(image).matches()) {
            throw new IllegalArgumentException(INVALID);
        }
        Matcher m = REFERENCE.matcher(image);
        if (!m.matches() || m.group(1).length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(INVALID);
        }
        return new ImageReference(m.group(1), m.group(2), m.group(3));
    }

    /**
     * The major version a tag names, such as 3 for {@code 3.136.2}, {@code v3} or {@code 3-ubuntu-22.04}; -1 for a tag
     * that names none ({@code latest}, {@code edge}) or no tag.
     */
    int tagMajorVersion() {
        if (tag == null) {
            return -1;
        }
        int start = tag.startsWith("v") ? 1 : 0;
        int end = start;
        while (end < tag.length() && end - start < 9 && Character.isDigit(tag.charAt(end))) {
            end++;
        }
        boolean versionLike = end > start && (end == tag.length() || tag.charAt(end) == '.' || tag.charAt(end) == '-');
        return versionLike ? Integer.parseInt(tag.substring(start, end)) : -1;
    }

    /**
     * The reference as the runtime resolves it: Docker Hub's domain and library/ filled in, and :latest when it names
     * neither tag nor digest ({@code alpine:3} is {@code docker.io/library/alpine:3}).
     */
    public String fullName() {
        int slash = name.indexOf('/');
        String first = slash < 0 ? "" : name.substring(0, slash);
        boolean hasDomain = first.contains(".")
                || first.contains(":")
                || first.equals("localhost")
                || !first.equals(first.toLowerCase(java.util.Locale.ROOT));
        String full = hasDomain ? name : "docker.io/" + (slash < 0 ? "library/" : "") + name;
        if (tag == null && digest == null) {
            return full + ":latest";
        }
        return full + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** A digest pins the image, so pulling it again can never give anything new. */
    boolean hasDigest() {
        return digest != null;
    }
}

package dev.agentstack.kubernetes;

import dev.agentstack.memory.Memo;

/** The API server's rules for names, label keys and values, and annotation keys (apimachinery validation). */
public final class KubernetesNames {

    /** The API server's limit on the total size of a resource's annotations. */
    public static final int MAX_ANNOTATIONS_BYTES = 256 * 1024;

    private KubernetesNames() {}

    /** Label and annotation keys repeat from Job to Job: each is checked once ("" = valid). */
    private static final Memo<String, String> QUALIFIED_NAME_PROBLEMS =
            new Memo<>(1024, key -> java.util.Objects.requireNonNullElse(checkQualifiedName(key), ""));

    /** Why {@code key} is not a qualified name ({@code [prefix/]name}), or null when it is. */
    public static String qualifiedNameProblem(String key) {
        if (key == null || key.isEmpty()) {
            return "must not be empty";
        }
        String problem = QUALIFIED_NAME_PROBLEMS.apply(key);
        return problem.isEmpty() ? null : problem;
    }

    private static String checkQualifiedName(String key) {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (!isDnsSubdomain(prefix)) {
                return "prefix must be a lower-case DNS subdomain";
            }
        }
        if (name.length() > 63 || !isNamePart(name)) {
            return "name part must be 1-63 characters of letters, digits, '-', '_' or '.', starting and ending with"
                    + " a letter or digit";
        }
        return null;
    }

    /** Why {@code value} is not a label value, or null when it is. */
    public static String labelValueProblem(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.length() > 63 || !isNamePart(value)) {
            return "must be at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with"
                    + " a letter or digit";
        }
        return null;
    }

    /**
     * The first entry of a label-like map (labels, a node selector) Kubernetes would reject, as
     * {@code field: invalid key "k": problem} or {@code field.k: invalid value "v": problem}, or null.
     */
    public static String labelsProblem(String field, java.util.Map<String, String> labels) {
        for (java.util.Map.Entry<String, String> e : labels.entrySet()) {
            String p = qualifiedNameProblem(e.getKey());
            if (p != null) {
                return field + ": invalid key \"" + e.getKey() + "\": " + p;
            }
            p = labelValueProblem(e.getValue());
            if (p != null) {
                return field + "." + e.getKey() + ": invalid value \"" + e.getValue() + "\": " + p;
            }
        }
        return null;
    }

    /** True for a DNS-1123 label, as container, volume and port names must be. */
    public static boolean isDnsLabel(String name) {
        return name != null && name.length() <= 63 && isLabelPart(name, 0, name.length());
    }

    /**
     * True for a DNS-1123 subdomain, as Job names must be: dot-separated labels. Checked by hand rather than by a
     * regular expression, whose backtracking over a Job name was a visible share of building each Job.
     */
    public static boolean isDnsSubdomain(String name) {
        if (name == null || name.isEmpty() || name.length() > 253) {
            return false;
        }
        int start = 0;
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', start)) {
            if (!isLabelPart(name, start, dot)) {
                return false;
            }
            start = dot + 1;
        }
        return isLabelPart(name, start, name.length());
    }

    /**
     * ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], the name part of a qualified name and a label value. By hand, as
     * {@link #isDnsSubdomain}: a label value (a job uuid, say) is checked on every Job, and the regular expression's
     * backtracking was most of that.
     */
    private static boolean isNamePart(String name) {
        int last = name.length() - 1;
        if (last < 0 || !isAlphanumeric(name.charAt(0)) || !isAlphanumeric(name.charAt(last))) {
            return false;
        }
        for (int i = 1; i < last; i++) {
            char c = name.charAt(i);
            if (!(isAlphanumeric(c) || c == '-' || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlphanumeric(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    /** [a-z0-9]([-a-z0-9]*[a-z0-9])? over name[from, to). */
    private static boolean isLabelPart(String name, int from, int to) {
        if (to <= from || name.charAt(from) == '-' || name.charAt(to - 1) == '-') {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }
}

package dev.agentstack.podspec;

import java.util.List;
import java.util.stream.Collectors;

/**
 * POSIX shell quoting as the original controller does it (go-shellquote's Join): a word with whitespace is
 * single-quoted; otherwise shell metacharacters are backslash-escaped, so simple words stay readable.
 */
final class ShellQuote {

    private static final String SPECIAL = "\\'\"`${[|&;<>()*?!";
    private static final String WHITESPACE = " \t\n";

    private ShellQuote() {}

    static String join(List<String> words) {
        return words.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
    }

    static String quote(String word) {
        if (word.isEmpty()) {
            return "''";
        }
        if (word.chars().anyMatch(c -> WHITESPACE.indexOf(c) >= 0)) {
            return singleQuoted(word);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (SPECIAL.indexOf(c) >= 0 || (i == 0 && c == '~')) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** 'abc', with each ' written as \' outside the quotes. */
    private static String singleQuoted(String word) {
        StringBuilder sb = new StringBuilder();
        boolean inQuote = false;
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c == '\'') {
                if (inQuote) {
                    sb.append('\'');
                    inQuote = false;
                }
                sb.append("\\'");
            } else {
                if (!inQuote) {
                    sb.append('\'');
                    inQuote = true;
                }
                sb.append(c);
            }
        }
        if (inQuote) {
            sb.append('\'');
        }
        return sb.toString();
    }
}

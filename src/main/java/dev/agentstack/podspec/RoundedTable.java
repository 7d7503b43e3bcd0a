package dev.agentstack.podspec;

import java.util.ArrayList;
import java.util.List;

/** A small text table with rounded corners, the style of the original's multi-error messages. */
final class RoundedTable {

    private RoundedTable() {}

    static String render(List<String> header, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, widths, '╭', '┬', '╮');
        row(sb, widths, header);
        line(sb, widths, '├', '┼', '┤');
        rows.forEach(r -> row(sb, widths, r));
        line(sb, widths, '╰', '┴', '╯');
        return sb.toString();
    }

    private static void line(StringBuilder sb, int[] widths, char left, char middle, char right) {
        sb.append(left);
        for (int i = 0; i < widths.length; i++) {
            sb.append("─".repeat(widths[i] + 2)).append(i + 1 < widths.length ? middle : right);
        }
        sb.append('\n');
    }

    private static void row(StringBuilder sb, int[] widths, List<String> cells) {
        sb.append('│');
        for (int i = 0; i < widths.length; i++) {
            sb.append(' ')
                    .append(cells.get(i))
                    .append(" ".repeat(widths[i] - cells.get(i).length() + 1))
                    .append('│');
        }
        sb.append('\n');
    }
}

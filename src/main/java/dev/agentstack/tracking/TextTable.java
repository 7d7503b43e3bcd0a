package dev.agentstack.tracking;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns, as kubectl prints them; for Buildkite job logs. */
public final class TextTable {

    private static final int MAX_CELL = 160;

    private TextTable() {}

    public static String render(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        for (List<String> row : rows) {
            List<String> cells = new ArrayList<>();
            for (String cell : row) {
                String c = cell == null ? "" : cell.replace('\n', ' ').replace('\r', ' ');
                cells.add(c.length() > MAX_CELL ? c.substring(0, MAX_CELL - 3) + "..." : c);
            }
            all.add(cells);
        }
        int[] widths = new int[header.size()];
        for (List<String> row : all) {
            for (int i = 0; i < row.size() && i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                String cell = i < row.size() ? row.get(i) : "";
                line.append(cell);
                if (i < widths.length - 1) {
                    line.append(" ".repeat(widths[i] - cell.length() + 2));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}

package dev.agentstack.config;

/** The table of every option in docs/configuration.md, generated from the catalogue (OptionsTableTest checks it). */
public final class OptionsTable {

    private OptionsTable() {}

    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| option (config key) | flag | environment | default | meaning |\n");
        sb.append("|---|---|---|---|---|\n");
        for (Option<?> o : Options.ALL) {
            String def = o.defaultValue() == null ? "" : o.toText(o.defaultValue());
            if (def.isEmpty()) {
                def = o.isRequired() ? "required" : "";
            } else {
                def = "`" + def + "`";
            }
            sb.append("| `")
                    .append(o.key())
                    .append("` | ")
                    .append(o.isFileOnly() ? "config file only" : "`" + o.flag() + "`")
                    .append(" | ")
                    .append(o.isFileOnly() ? "" : "`" + String.join("`, `", o.envNames()) + "`")
                    .append(" | ")
                    .append(def)
                    .append(" | ")
                    .append(o.description().replace("|", "\\|"))
                    .append(" |\n");
        }
        return sb.toString();
    }
}

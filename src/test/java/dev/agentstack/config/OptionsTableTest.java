package dev.agentstack.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists every option, generated from {@link Options}; the README lists the common ones by hand.
 * These keep both in step with the catalogue.
 */
class OptionsTableTest {

    private static final Path CONFIGURATION = Path.of("docs/configuration.md");
    private static final Path README = Path.of("README.md");
    private static final String START = "<!-- options:start";
    private static final String END = "<!-- options:end -->";
    private static final String COMMON = "## Common options";
    private static final String REGENERATE = "mvn -B -q test -Dtest=OptionsTableTest -Doptions.update=true";

    @Test
    void theConfigurationPageListsEveryOptionWithItsDefault() throws Exception {
        String text = Files.readString(CONFIGURATION);
        int start = text.indexOf(START);
        int startEnd = text.indexOf("-->", start) + 3;
        int end = text.indexOf(END);
        assertThat(start).as(CONFIGURATION + " has the options:start marker").isPositive();
        String expected = "\n" + OptionsTable.markdown();
        // readme.update is the flag's older name, from when the table was in the README.
        if (Boolean.getBoolean("options.update") || Boolean.getBoolean("readme.update")) {
            Files.writeString(CONFIGURATION, text.substring(0, startEnd) + expected + text.substring(end));
            return;
        }
        assertThat(text.substring(startEnd, end))
                .as(CONFIGURATION + "'s option table is stale: run " + REGENERATE)
                .isEqualTo(expected);
    }

    @Test
    void everyOptionTheReadmeNamesExistsWithTheDefaultItShows() throws Exception {
        Map<String, String> named = commonOptionsInReadme();
        Map<String, Option<?>> catalogue = Options.ALL.stream().collect(Collectors.toMap(Option::key, o -> o));
        assertThat(named)
                .as("the options of the README's \"" + COMMON + "\" table")
                .isNotEmpty();
        assertThat(named.keySet().stream()
                        .filter(key -> !catalogue.containsKey(key))
                        .toList())
                .as("options the README names that the catalogue does not have")
                .isEmpty();
        named.forEach((key, shown) -> {
            // A default written as a literal must be the catalogue's; prose such as "by token" is not checked.
            if (shown.matches("`[^`]*`")) {
                Option<?> option = catalogue.get(key);
                assertThat(shown)
                        .as("the README's default of " + key)
                        .isEqualTo("`" + option.toText(option.defaultValue()) + "`");
            }
        });
    }

    /** Option and default cell of each row of the README's common-options table, e.g. "| `max-in-flight` | `25` |". */
    private static Map<String, String> commonOptionsInReadme() throws Exception {
        List<String> lines = Files.readAllLines(README);
        int header = lines.indexOf(COMMON);
        assertThat(header).as("README.md has a \"" + COMMON + "\" section").isNotNegative();
        Pattern row = Pattern.compile("^\\| `([a-z0-9-]+)` \\|([^|]*)\\|");
        Map<String, String> named = new LinkedHashMap<>();
        for (String line : lines.subList(header + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher m = row.matcher(line);
            if (m.find()) {
                named.put(m.group(1), m.group(2).strip());
            }
        }
        return named;
    }
}

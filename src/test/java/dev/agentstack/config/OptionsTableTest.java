package dev.agentstack.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's option table is generated from {@link Options}; this keeps the two in step. */
class OptionsTableTest {

    private static final String START = "<!-- options:start";
    private static final String END = "<!-- options:end -->";

    @Test
    void readmeListsEveryOptionWithItsDefault() throws Exception {
        Path readme = Path.of("README.md");
        String text = Files.readString(readme);
        int start = text.indexOf(START);
        int startEnd = text.indexOf("-->", start) + 3;
        int end = text.indexOf(END);
        assertThat(start).as("README.md has the options:start marker").isPositive();
        String expected = "\n" + OptionsTable.markdown();
        if (Boolean.getBoolean("readme.update")) {
            Files.writeString(readme, text.substring(0, startEnd) + expected + text.substring(end));
            return;
        }
        assertThat(text.substring(startEnd, end))
                .as("README option table is stale: run mvn -B -q test -Dtest=OptionsTableTest -Dreadme.update=true")
                .isEqualTo(expected);
    }
}

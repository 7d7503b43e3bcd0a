package dev.agentstack.podspec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped JSON schema is generated from the decoder's types; this keeps the checked-in file in step with them. */
class PluginSchemaTest {

    private static final Path FILE = Path.of("src/main/resources", PluginSchema.RESOURCE);

    @Test
    void checkedInSchemaIsCurrent() throws Exception {
        String expected = PluginSchema.generate();
        if (Boolean.getBoolean("plugin-schema.update")) {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, expected);
            return;
        }
        assertThat(Files.exists(FILE)).as(FILE + " exists").isTrue();
        assertThat(Files.readString(FILE))
                .as("the schema is stale: run mvn -B -q test -Dtest=PluginSchemaTest -Dplugin-schema.update=true")
                .isEqualTo(expected);
    }
}

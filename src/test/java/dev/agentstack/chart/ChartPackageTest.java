package dev.agentstack.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import dev.agentstack.runtime.Version;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archive {@code mvn package} leaves in target/ for {@code helm push}: the whole chart, named by its version. */
class ChartPackageTest {

    @TempDir
    Path scratch;

    @Test
    void thePackageHoldsTheChartItsReadmeAndTheHelmTest() throws IOException {
        Path archive = ChartPackage.packageInto(RenderedChart.CHART, scratch);

        assertThat(archive.getFileName()).hasToString("agent-stack-camel-" + Version.get() + ".tgz");
        assertThat(entries(archive))
                .contains(
                        "agent-stack-camel/Chart.yaml",
                        "agent-stack-camel/values.yaml",
                        "agent-stack-camel/values.schema.json",
                        "agent-stack-camel/README.md",
                        "agent-stack-camel/templates/deployment.yaml",
                        "agent-stack-camel/templates/tests/ready.yaml");
        // What helm show prints from the archive, as from a registry.
        assertThat(new Helm(archive).show().readme().call()).contains("## Parameters", "`tests.attempts`");
        assertThat(new Helm(archive).show().chart().call()).contains("version: " + Version.get());
    }

    /** The file names in a .tgz: ustar headers, as Helm's Go writer makes them (no tar library on the classpath). */
    private static List<String> entries(Path archive) throws IOException {
        byte[] tar;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
            tar = in.readAllBytes();
        }
        List<String> names = new ArrayList<>();
        for (int at = 0; at + 512 <= tar.length && tar[at] != 0; ) {
            String name = field(tar, at, 100);
            String prefix = field(tar, at + 345, 155);
            long size = Long.parseLong(field(tar, at + 124, 12).trim(), 8);
            if (tar[at + 156] == '0' || tar[at + 156] == 0) {
                names.add(prefix.isEmpty() ? name : prefix + "/" + name);
            }
            at += 512 + (int) ((size + 511) / 512 * 512);
        }
        return names;
    }

    private static String field(byte[] tar, int offset, int length) {
        int end = offset;
        while (end < offset + length && tar[end] != 0) {
            end++;
        }
        return new String(tar, offset, end - offset, StandardCharsets.UTF_8);
    }
}

package dev.agentstack.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code helm package} of the chart with Helm's own Go code (helm-java), so that {@code mvn package} needs no helm
 * binary. The pom runs {@link #main} at the package phase; the archive is
 * {@code <destination>/agent-stack-camel-<version>.tgz}, ready for {@code helm push}.
 */
public final class ChartPackage {

    private ChartPackage() {}

    /** Packages the chart into the folder and returns the archive, named by the chart's name and version. */
    static Path packageInto(Path chart, Path destination) throws IOException {
        Files.createDirectories(destination);
        new Helm(chart).packageIt().withDestination(destination).call();
        JsonNode meta = new ObjectMapper(new YAMLFactory())
                .readTree(chart.resolve("Chart.yaml").toFile());
        Path archive = destination.resolve(
                meta.get("name").asText() + "-" + meta.get("version").asText() + ".tgz");
        if (!Files.isRegularFile(archive)) {
            throw new IOException("helm package wrote no " + archive);
        }
        return archive;
    }

    /** Arguments: the chart folder and the destination folder. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ChartPackage <chart folder> <destination folder>");
        }
        System.out.println("Packaged the chart: " + packageInto(Path.of(args[0]), Path.of(args[1])));
    }
}

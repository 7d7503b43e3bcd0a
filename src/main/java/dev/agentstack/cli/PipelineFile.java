package dev.agentstack.cli;

import dev.agentstack.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The pipeline file that render and lint take as their one argument ({@code -} is stdin where allowed). */
record PipelineFile(String name, String text) {

    static PipelineFile read(CommandLine cl, String command, boolean stdinAllowed) {
        if (cl.arguments().size() != 1) {
            throw new ConfigException(command + " takes one pipeline file" + (stdinAllowed ? " (or - for stdin)" : "")
                    + ", got " + cl.arguments().size() + " arguments");
        }
        String arg = cl.arguments().get(0);
        if (arg.equals("-") && stdinAllowed) {
            try (InputStream in = System.in) {
                return new PipelineFile("stdin", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ConfigException("cannot read stdin: " + e.getMessage());
            }
        }
        Path path = Path.of(arg);
        try {
            String name = path.getFileName().toString().replaceFirst("\\.ya?ml$", "");
            return new PipelineFile(name, Files.readString(path, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new ConfigException(arg + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(arg + ": cannot be read: " + e.getMessage());
        }
    }
}

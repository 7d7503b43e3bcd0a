package dev.agentstack.config;

/**
 * Configuration that cannot be used. The message is one line that names the option and the problem, and never holds a
 * secret value; the command line prints it and exits with code 2.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message, null, false, false);
    }

    public ConfigException(Option<?> option, String problem) {
        this("option " + option.key() + ": " + problem);
    }
}

package dev.agentstack.config;

/**
 * A document that does not decode into the type it configures: {@link #path()} says where (e.g.
 * {@code podSpec.containers[0].env[0].value}), {@link #problem()} what is wrong there.
 */
public final class DecodeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String path;
    private final String problem;

    public DecodeException(String path, String problem) {
        super(path.isEmpty() ? problem : path + ": " + problem, null, false, false);
        this.path = path;
        this.problem = problem;
    }

    public String path() {
        return path;
    }

    public String problem() {
        return problem;
    }
}

package dev.agentstack.buildkite;

/**
 * A call to a Buildkite API that did not give a usable answer. {@link #reason()} is a short, stable label for logs and
 * metrics (e.g. {@code graphql_errors}, {@code http_500}, {@code timeout}); the message never contains a token.
 */
public class BuildkiteApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String reason;

    public BuildkiteApiException(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}

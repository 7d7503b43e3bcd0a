package dev.agentstack.pipeline;

/** A pipeline file that cannot be read; the message names the step path and the problem. */
public final class PipelineException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PipelineException(String message) {
        super(message, null, false, false);
    }
}

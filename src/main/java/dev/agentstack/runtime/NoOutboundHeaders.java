package dev.agentstack.runtime;

import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultHeaderFilterStrategy;

/**
 * Keeps exchange headers out of HTTP requests. camel-graphql sends every exchange header as an HTTP header (timer
 * metadata, our own bookkeeping), which leaks internals to Buildkite; answers' headers still come in.
 */
public final class NoOutboundHeaders extends DefaultHeaderFilterStrategy {

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return true;
    }
}

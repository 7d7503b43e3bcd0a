package dev.agentstack.buildkite;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The most bytes of one Buildkite answer the controller reads (option max-response-size). Bodies are read as streams
 * through {@link #wrap}, which stops at the limit and cuts the connection, so a hostile or broken answer costs at
 * most this much memory, never the whole answer. Metric: {@code buildkite_api_oversize_responses_total{api}}.
 *
 * @param maxBytes the most bytes read of one answer's body (after decompression)
 */
public record ResponseSizeLimit(long maxBytes) {

    /** The reason label of {@link Oversize}, in logs and the metrics of the calls that failed. */
    public static final String REASON = "oversize_response";

    public ResponseSizeLimit {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1");
        }
    }

    /** From a Kubernetes-style quantity (32Mi) or a plain number of bytes. */
    public static ResponseSizeLimit of(String quantity) {
        return new ResponseSizeLimit(dev.agentstack.config.ByteSizes.parse(quantity));
    }

    /** An answer over the limit: the call failed, and nothing more of it was read. */
    public static final class Oversize extends BuildkiteApiException {
        private static final long serialVersionUID = 1L;

        Oversize(String message) {
            super(REASON, message);
        }
    }

    /** Throws {@link Oversize} when the answer's Content-Length alone is over the limit (-1: not declared). */
    public void checkDeclared(long contentLength) {
        if (contentLength > maxBytes) {
            throw oversize();
        }
    }

    /**
     * The body, read no further than the limit: a read past it runs {@code abort} (which must drop the connection
     * rather than drain it) and throws {@link Oversize}. Closing after that leaves the aborted stream alone.
     */
    public InputStream wrap(InputStream body, Runnable abort) {
        return new FilterInputStream(body) {
            private long read;
            private boolean aborted;

            @Override
            public int read() throws IOException {
                int b = super.read();
                count(b < 0 ? 0 : 1);
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, (int) Math.min(len, maxBytes - read + 1));
                count(Math.max(n, 0));
                return n;
            }

            private void count(int n) {
                read += n;
                if (read > maxBytes && !aborted) {
                    aborted = true;
                    abort.run();
                    throw oversize();
                }
            }

            @Override
            public void close() throws IOException {
                if (!aborted) {
                    super.close();
                }
            }
        };
    }

    /**
     * Reads a whole body through {@link #wrap}. The buffer grows to at most the limit (a ByteArrayOutputStream would
     * double past it), so an oversize answer costs no more memory than the largest one allowed.
     */
    public byte[] readAll(InputStream body, Runnable abort) throws IOException {
        byte[] buf = new byte[(int) Math.min(8192, maxBytes)];
        int size = 0;
        try (InputStream in = wrap(body, abort)) {
            while (true) {
                if (size == buf.length) {
                    if (size == maxBytes) {
                        in.read(); // at the limit: the end of the body, or a byte past it, which throws Oversize
                        break;
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min(maxBytes, (long) size * 2));
                }
                int n = in.read(buf, size, buf.length - size);
                if (n < 0) {
                    break;
                }
                size += n;
            }
        }
        return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }

    /** Counts an oversize answer of {@code api} (graphql, agent) when {@code error} is one. */
    public static void countIfOversize(Throwable error, MeterRegistry registry, String api) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof Oversize) {
                registry.counter("buildkite.api.oversize.responses", "api", api).increment();
                return;
            }
        }
    }

    private Oversize oversize() {
        return new Oversize("answer larger than max-response-size (" + maxBytes + " bytes); not read further");
    }
}

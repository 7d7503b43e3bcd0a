package dev.agentstack.buildkite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Reading through the limit: everything up to it, nothing past it, and the connection dropped when it is passed. */
class ResponseSizeLimitTest {

    private final ResponseSizeLimit limit = new ResponseSizeLimit(10_000);
    private final AtomicInteger aborts = new AtomicInteger();

    @Test
    void aBodyOfExactlyTheLimitIsRead() throws Exception {
        assertThat(limit.readAll(new ByteArrayInputStream(new byte[10_000]), aborts::incrementAndGet))
                .hasSize(10_000);
        assertThat(limit.readAll(new ByteArrayInputStream(new byte[3]), aborts::incrementAndGet))
                .hasSize(3);
        assertThat(aborts).hasValue(0);
    }

    @Test
    void oneByteMoreAbortsAndReadsNoFurther() {
        AtomicInteger served = new AtomicInteger();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                served.incrementAndGet();
                return 'x';
            }
        };
        assertThatThrownBy(() -> limit.readAll(endless, aborts::incrementAndGet))
                .isInstanceOf(ResponseSizeLimit.Oversize.class);
        assertThat(aborts).hasValue(1);
        assertThat(served.get()).isEqualTo(10_001);
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedBeforeReading() {
        limit.checkDeclared(-1);
        limit.checkDeclared(10_000);
        assertThatThrownBy(() -> limit.checkDeclared(10_001))
                .isInstanceOf(ResponseSizeLimit.Oversize.class)
                .hasMessage("answer larger than max-response-size (10000 bytes); not read further");
    }

    @Test
    void sizesAreQuantities() {
        assertThat(ResponseSizeLimit.of("32Mi").maxBytes()).isEqualTo(32L * 1024 * 1024);
        assertThat(ResponseSizeLimit.of("1M").maxBytes()).isEqualTo(1_000_000);
        assertThat(ResponseSizeLimit.of("4096").maxBytes()).isEqualTo(4096);
        assertThatThrownBy(() -> ResponseSizeLimit.of("0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ResponseSizeLimit.of("lots")).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.agentstack.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MemoTest {

    @Test
    void remembersUpToItsCapacityAndNeverANullResult() {
        AtomicInteger calls = new AtomicInteger();
        Memo<String, String> memo = new Memo<>(2, s -> {
            calls.incrementAndGet();
            return s.startsWith("null") ? null : s.toUpperCase();
        });

        assertThat(memo.apply("a")).isEqualTo("A");
        assertThat(memo.apply("a")).isEqualTo("A");
        assertThat(calls).hasValue(1);

        memo.apply("null-1");
        memo.apply("null-1");
        assertThat(calls).hasValue(3);

        memo.apply("b");
        memo.apply("c"); // past capacity: computed every time
        memo.apply("c");
        memo.apply("b");
        assertThat(calls).hasValue(6);
    }
}

package dev.agentstack.buildkite.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DetailsTest {

    @Test
    void aShortDetailIsKept() {
        assertThat(Details.finish("Pod failed")).isEqualTo("Pod failed");
        assertThat(Details.notification("Pod starting")).isEqualTo("Pod starting");
    }

    @Test
    void aLongDetailIsCroppedWithoutSplittingACharacter() {
        String detail = "\u00e9".repeat(3000); // two bytes each
        String cropped = Details.finish(detail);
        assertThat(cropped.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
        assertThat(cropped)
                .startsWith("\u00e9\u00e9")
                .endsWith(Details.FINISH_CROPPED)
                .doesNotContain("\ufffd");
    }

    @Test
    void aLongNotificationKeeps242Bytes() {
        assertThat(Details.notification("n".repeat(300))).isEqualTo("n".repeat(242) + "\u2026 (cropped)");
    }

    @Test
    void pathParametersEscapeDots() {
        assertThat(PathEscape.of("a.b/c d_e-f~")).isEqualTo("a%2Eb%2Fc%20d_e-f~");
    }
}

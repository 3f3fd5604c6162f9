package io.github.lokiappender.core;

import io.github.lokiappender.core.http.RecordingStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitedStatusReporterTest {

    @Test
    void limitsWarningsPerWindowAndSaysHowManyWereSuppressed() {
        RecordingStatus out = new RecordingStatus();
        long[] now = {0};
        RateLimitedStatusReporter r = new RateLimitedStatusReporter(out, 2, 1_000, () -> now[0]);
        r.warn("a", null);
        r.error("b", null);
        r.warn("c", null);
        r.warn("d", null);
        r.info("always");
        assertThat(r.suppressed()).isEqualTo(2);
        now[0] = 1_000;
        r.warn("e", null);
        assertThat(out.messages).containsExactly("WARN a", "ERROR b", "INFO always",
                "WARN e (2 earlier status messages suppressed)");
        assertThat(r.suppressed()).isZero();
    }
}

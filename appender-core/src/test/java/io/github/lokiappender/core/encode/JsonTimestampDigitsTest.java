package io.github.lokiappender.core.encode;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.batch.Batch;
import io.github.lokiappender.core.labels.LabelSet;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON encoder keeps the seconds' digits between entries: every timestamp must still be exact. */
class JsonTimestampDigitsTest {

    private static final LabelSet A = LabelSet.of(new String[]{"a"}, new String[]{"b"});

    private static String values(long... timestamps) {
        Batch batch = new Batch();
        for (long t : timestamps) {
            batch.add(LokiEvent.of(t, "x", A), 0);
        }
        String json = new String(new JsonPushEncoder().encode(batch).toByteArray(), StandardCharsets.UTF_8);
        return json.substring(json.indexOf("\"values\":[") + 10, json.length() - 4);
    }

    @Test
    void nanosecondsKeepTheirLeadingZerosAndSecondsChangeBetweenEntries() {
        assertThat(values(1732400000000000001L, 1732400000000000010L, 1732400001000000000L, 1732400001999999999L,
                1732399999123456789L))
                .isEqualTo("[\"1732400000000000001\",\"x\"],[\"1732400000000000010\",\"x\"],"
                        + "[\"1732400001000000000\",\"x\"],[\"1732400001999999999\",\"x\"],"
                        + "[\"1732399999123456789\",\"x\"]");
    }

    @Test
    void aroundTheFirstSecondAndNegativeValuesStayExact() {
        assertThat(values(999_999_999L, 1_000_000_000L, 1_000_000_007L, -5L, 1_000_000_007L, 10_000_000_000L))
                .isEqualTo("[\"999999999\",\"x\"],[\"1000000000\",\"x\"],[\"1000000007\",\"x\"],[\"-5\",\"x\"],"
                        + "[\"1000000007\",\"x\"],[\"10000000000\",\"x\"]");
    }

    @Test
    void everyBatchStartsFromItsOwnDigits() {
        JsonPushEncoder encoder = new JsonPushEncoder();
        Batch first = new Batch();
        first.add(LokiEvent.of(1732400000123456789L, "x", A), 0);
        encoder.encode(first);
        Batch second = new Batch();
        second.add(LokiEvent.of(99_000_000_001L, "x", A), 0);
        String json = new String(encoder.encode(second).toByteArray(), StandardCharsets.UTF_8);
        assertThat(json).contains("[\"99000000001\",\"x\"]");
    }
}

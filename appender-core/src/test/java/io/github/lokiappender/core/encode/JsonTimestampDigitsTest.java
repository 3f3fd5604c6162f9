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

    /**
     * The eight-digit word is computed in lanes that must not disturb each other: every value of
     * each four-digit half (the other half fixed at values that would show a carry or a borrow),
     * and a million random values, against the digits written one by one.
     */
    @Test
    void eightDigitWordsMatchTheDecimalDigits() {
        for (int half = 0; half < 10_000; half++) {
            for (int other : new int[]{0, 1, 99, 100, 5_000, 9_999}) {
                assertDigits(other * 10_000 + half);
                assertDigits(half * 10_000 + other);
            }
        }
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 1_000_000; i++) {
            assertDigits(random.nextInt(100_000_000));
        }
        assertDigits(99_999_999);
    }

    private static void assertDigits(int n) {
        long word = JsonPushEncoder.eightDigits(n);
        int rest = n;
        for (int i = 7; i >= 0; i--) {
            int digit = rest % 10;
            rest /= 10;
            if ((byte) (word >>> (8 * i)) != '0' + digit) {
                throw new AssertionError("digits of " + n + ": " + Long.toHexString(word));
            }
        }
    }

    /** Every nanosecond digit position, from 0 to 999,999,999, within one second and across seconds. */
    @Test
    void everyNanosecondDigitPositionIsExact() {
        long second = 1_732_400_000_000_000_000L;
        long[] ts = new long[9 * 3 + 1];
        int k = 0;
        long unit = 1;
        for (int digit = 0; digit < 9; digit++, unit *= 10) {
            ts[k++] = second + unit;
            ts[k++] = second + 9 * unit;
            ts[k++] = second + 1_000_000_000L + 7 * unit; // the next second, for the seconds' words too
        }
        ts[k] = second + 999_999_999L;
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < ts.length; i++) {
            expected.append(i == 0 ? "" : ",").append("[\"").append(ts[i]).append("\",\"x\"]");
        }
        assertThat(values(ts)).isEqualTo(expected.toString());
    }
}

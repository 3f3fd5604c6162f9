package io.github.lokiappender.core.http;

import io.github.lokiappender.core.encode.EncodedRequest;
import io.github.lokiappender.core.encode.PushEncoder;
import io.github.lokiappender.core.batch.Batch;
import io.github.lokiappender.core.stats.PipelineStats;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The retry schedule, driven by a fake clock: no real waiting. */
class PushSenderTest {

    private static final long MS = 1_000_000L;

    private final Deque<Object> answers = new ArrayDeque<>(); // PushResponse or IOException
    private final List<Long> sleeps = new ArrayList<>();
    private final long[] clock = {0};
    private long deadline = Long.MAX_VALUE;
    private int requests;
    private int detached;
    private final PipelineStats stats = new PipelineStats();
    private final RecordingStatus status = new RecordingStatus();

    private final PushTransport transport = new PushTransport() {
        @Override
        public PushResponse push(EncodedRequest request, long timeoutNanos) throws IOException {
            requests++;
            Object a = answers.isEmpty() ? new PushResponse(204, "", null) : answers.poll();
            if (a instanceof IOException) {
                throw (IOException) a;
            }
            return (PushResponse) a;
        }

        @Override
        public void close() {
        }
    };

    private final PushEncoder encoder = new PushEncoder() {
        @Override
        public EncodedRequest encode(Batch batch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void detachBuffers() {
            detached++;
        }
    };

    /** Always picks the top of the jitter range, so the schedule is exact. */
    private PushSender sender(int maxRetries) {
        RetryPolicy policy = new RetryPolicy(maxRetries, 500 * MS, 30_000 * MS, bound -> bound - 1);
        Sleeper sleeper = nanos -> {
            sleeps.add(nanos / MS);
            clock[0] += nanos;
            return false;
        };
        return new PushSender(transport, policy, sleeper, () -> clock[0], () -> deadline, 15_000 * MS, stats, status);
    }

    private static final EncodedRequest REQUEST = new EncodedRequest(new byte[]{1, 2, 3}, 3, "application/json", null);

    private static PushResponse status(int code) {
        return new PushResponse(code, "scripted " + code, null);
    }

    @Test
    void retries429ThenSucceeds() throws Exception {
        answers.add(status(429));
        assertThat(sender(10).send(REQUEST, 7, encoder)).isEqualTo(SendOutcome.DELIVERED);
        assertThat(requests).isEqualTo(2);
        assertThat(sleeps).containsExactly(500L);
        assertThat(stats.snapshot().retries()).isEqualTo(1);
        assertThat(stats.snapshot().batchesSent()).isEqualTo(1);
        assertThat(stats.snapshot().bytesSent()).isEqualTo(3);
    }

    @Test
    void retries503ThreeTimesWithGrowingBackoff() throws Exception {
        answers.add(status(503));
        answers.add(status(503));
        answers.add(status(503));
        assertThat(sender(10).send(REQUEST, 7, encoder)).isEqualTo(SendOutcome.DELIVERED);
        assertThat(requests).isEqualTo(4);
        assertThat(sleeps).containsExactly(500L, 1000L, 2000L);
        assertThat(status.messages).hasSize(3).allMatch(m -> m.startsWith("WARN push to Loki failed (HTTP 503: scripted 503)"));
    }

    @Test
    void backoffIsCappedAtTheMaximum() {
        RetryPolicy p = new RetryPolicy(20, 500 * MS, 30_000 * MS, bound -> bound - 1);
        assertThat(p.backoffNanos(1, -1)).isEqualTo(500 * MS);
        assertThat(p.backoffNanos(6, -1)).isEqualTo(16_000 * MS);
        assertThat(p.backoffNanos(7, -1)).isEqualTo(30_000 * MS);
        assertThat(p.backoffNanos(60, -1)).isEqualTo(30_000 * MS);
        RetryPolicy low = new RetryPolicy(20, 500 * MS, 30_000 * MS, bound -> 0);
        assertThat(low.backoffNanos(5, -1)).isEqualTo(500 * MS);
    }

    @Test
    void jitterSpreadsRetriesOfDifferentAppenders() {
        RetryPolicy p = new RetryPolicy(10, 500 * MS, 30_000 * MS);
        java.util.Set<Long> waits = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            long w = p.backoffNanos(5, -1);
            assertThat(w).isBetween(500 * MS, 8_000 * MS);
            waits.add(w);
        }
        assertThat(waits.size()).isGreaterThan(40);
    }

    @Test
    void connectionFailuresAreRetriedAndTheBufferIsNotReused() throws Exception {
        answers.add(new ConnectException("Connection refused"));
        assertThat(sender(10).send(REQUEST, 1, encoder)).isEqualTo(SendOutcome.DELIVERED);
        assertThat(requests).isEqualTo(2);
        assertThat(detached).isEqualTo(1);
    }

    @Test
    void badRequestIsNeverRetriedAndLokisReasonIsReported() throws Exception {
        answers.add(new PushResponse(400, "entry for stream '{app=\"x\"}' has timestamp too old", null));
        assertThat(sender(10).send(REQUEST, 5, encoder)).isEqualTo(SendOutcome.REJECTED);
        assertThat(requests).isEqualTo(1);
        assertThat(sleeps).isEmpty();
        assertThat(status.messages).containsExactly(
                "ERROR Loki rejected a batch of 5 events with HTTP 400: entry for stream '{app=\"x\"}' has timestamp too old");
    }

    @Test
    void otherClientErrorsAreNotRetriedEither() throws Exception {
        for (int code : new int[]{401, 403, 404, 413}) {
            answers.add(status(code));
            assertThat(sender(10).send(REQUEST, 1, encoder)).isEqualTo(SendOutcome.REJECTED);
        }
        assertThat(requests).isEqualTo(4);
        assertThat(status.messages.get(0)).contains("check tenantId / username / password / bearerToken");
    }

    @Test
    void structuredMetadataRejectionByOldLokiExplainsItself() throws Exception {
        answers.add(new PushResponse(400, "array must contains 2 values", null));
        sender(10).send(REQUEST, 1, encoder);
        assertThat(status.messages.get(0)).contains("needs Loki 2.9+");
    }

    @Test
    void retryAfterIsHonouredWhenLongerThanTheBackoff() throws Exception {
        answers.add(new PushResponse(429, "slow down", "7"));
        answers.add(new PushResponse(503, "", "0"));
        assertThat(sender(10).send(REQUEST, 1, encoder)).isEqualTo(SendOutcome.DELIVERED);
        assertThat(sleeps).containsExactly(7_000L, 1_000L);
    }

    @Test
    void retryAfterIsCappedByTheMaximumBackoff() throws Exception {
        answers.add(new PushResponse(429, "", "3600"));
        sender(10).send(REQUEST, 1, encoder);
        assertThat(sleeps).containsExactly(30_000L);
    }

    @Test
    void parsesRetryAfterSecondsAndDates() {
        assertThat(RetryPolicy.parseRetryAfter("5", 0)).isEqualTo(5_000 * MS);
        assertThat(RetryPolicy.parseRetryAfter(null, 0)).isEqualTo(-1);
        assertThat(RetryPolicy.parseRetryAfter("soon", 0)).isEqualTo(-1);
        assertThat(RetryPolicy.parseRetryAfter("-3", 0)).isEqualTo(-1);
        long now = java.time.ZonedDateTime.parse("Tue, 24 Nov 2026 10:00:00 GMT",
                java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        assertThat(RetryPolicy.parseRetryAfter("Tue, 24 Nov 2026 10:00:12 GMT", now)).isEqualTo(12_000 * MS);
    }

    @Test
    void givesUpAfterMaxRetries() throws Exception {
        for (int i = 0; i < 10; i++) {
            answers.add(status(500));
        }
        assertThat(sender(3).send(REQUEST, 9, encoder)).isEqualTo(SendOutcome.RETRIES_EXHAUSTED);
        assertThat(requests).isEqualTo(4);
        assertThat(sleeps).containsExactly(500L, 1000L, 2000L);
        assertThat(status.messages).last().isEqualTo(
                "ERROR giving up on a batch of 9 events after 4 attempts; last failure: HTTP 500: scripted 500");
    }

    @Test
    void zeroRetriesMeansOneAttempt() throws Exception {
        answers.add(status(503));
        assertThat(sender(0).send(REQUEST, 1, encoder)).isEqualTo(SendOutcome.RETRIES_EXHAUSTED);
        assertThat(requests).isEqualTo(1);
    }

    @Test
    void stopsRetryingWhenTheNextWaitWouldPassTheShutdownDeadline() throws Exception {
        answers.add(status(503));
        answers.add(status(503));
        deadline = 1_200 * MS; // first wait (500 ms) fits, the second (1000 ms more) does not
        assertThat(sender(10).send(REQUEST, 1, encoder)).isEqualTo(SendOutcome.SHUTDOWN_TIMEOUT);
        assertThat(requests).isEqualTo(2);
        assertThat(sleeps).containsExactly(500L);
    }

    @Test
    void sendsNothingOnceTheDeadlineHasPassed() throws Exception {
        deadline = 0;
        assertThat(sender(10).send(REQUEST, 1, encoder)).isEqualTo(SendOutcome.SHUTDOWN_TIMEOUT);
        assertThat(requests).isZero();
    }

    @Test
    void oneAttemptForTheSpoolNeverRetriesNorWaits() throws Exception {
        PushSender sender = sender(10);
        answers.add(new PushResponse(429, "slow down", "3"));
        assertThat(sender.attempt(REQUEST, 5, encoder)).isEqualTo(SendOutcome.FAILED);
        assertThat(sender.lastFailure()).isEqualTo("HTTP 429: slow down");
        assertThat(sender.lastRetryAfterNanos()).isEqualTo(3_000 * MS);

        answers.add(new ConnectException("Connection refused"));
        assertThat(sender.attempt(REQUEST, 5, encoder)).isEqualTo(SendOutcome.FAILED);
        assertThat(sender.lastFailure()).isEqualTo("ConnectException: Connection refused");
        assertThat(sender.lastRetryAfterNanos()).isEqualTo(-1);
        assertThat(detached).isEqualTo(1); // the abandoned exchange may still read the body

        answers.add(status(400));
        assertThat(sender.attempt(REQUEST, 5, encoder)).isEqualTo(SendOutcome.REJECTED);
        assertThat(status.messages).containsExactly("ERROR Loki rejected a batch of 5 events with HTTP 400: scripted 400");

        assertThat(sender.attempt(REQUEST, 5, encoder)).isEqualTo(SendOutcome.DELIVERED);
        assertThat(requests).isEqualTo(4);
        assertThat(sleeps).isEmpty();
        assertThat(stats.snapshot().batchesSent()).isEqualTo(1);
        assertThat(stats.snapshot().retries()).isZero(); // the caller counts its own retries

        deadline = 0;
        assertThat(sender.attempt(REQUEST, 5, encoder)).isEqualTo(SendOutcome.SHUTDOWN_TIMEOUT);
        assertThat(requests).isEqualTo(4);
    }
}

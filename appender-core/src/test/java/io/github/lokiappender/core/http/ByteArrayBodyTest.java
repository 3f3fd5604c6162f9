package io.github.lokiappender.core.http;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;

import static org.assertj.core.api.Assertions.assertThat;

/** The zero-copy request body: exact bytes in slices, on demand, from the start at every subscription. */
class ByteArrayBodyTest {

    /** Collects what it is given, asking for {@code batch} slices at a time (from inside onNext, as clients do). */
    private static class Collector implements Flow.Subscriber<ByteBuffer> {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Integer> sliceSizes = new ArrayList<>();
        final List<ByteBuffer> slices = new ArrayList<>();
        final long batch;
        Flow.Subscription subscription;
        int completed;
        Throwable error;
        long outstanding;

        Collector(long batch) {
            this.batch = batch;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            outstanding = batch;
            s.request(batch);
        }

        @Override
        public void onNext(ByteBuffer item) {
            assertThat(outstanding).as("more slices than requested").isPositive();
            outstanding--;
            sliceSizes.add(item.remaining());
            slices.add(item.duplicate());
            byte[] b = new byte[item.remaining()];
            item.get(b);
            bytes.write(b, 0, b.length);
            if (outstanding == 0) {
                outstanding = batch;
                subscription.request(batch);
            }
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onComplete() {
            completed++;
        }
    }

    private static byte[] data(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    @Test
    void publishesExactlyTheRangeInSlicesAndCompletesOnce() {
        byte[] array = data(3 * ByteArrayBody.SLICE_BYTES + 100);
        int offset = 5;
        int length = array.length - 17;
        HttpRequest.BodyPublisher body = ByteArrayBody.of(array, offset, length);
        assertThat(body.contentLength()).isEqualTo(length);
        for (long batch : new long[]{1, 2, Long.MAX_VALUE}) {
            Collector c = new Collector(batch);
            body.subscribe(c);
            assertThat(c.error).isNull();
            assertThat(c.completed).isEqualTo(1);
            assertThat(c.bytes.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(array, offset, offset + length));
            assertThat(c.sliceSizes).containsExactly(ByteArrayBody.SLICE_BYTES, ByteArrayBody.SLICE_BYTES,
                    ByteArrayBody.SLICE_BYTES, length - 3 * ByteArrayBody.SLICE_BYTES);
            // no copy: every slice is a window on the caller's array, at its place in the range
            int at = offset;
            for (ByteBuffer slice : c.slices) {
                assertThat(slice.hasArray()).isTrue();
                assertThat(slice.array()).isSameAs(array);
                assertThat(slice.arrayOffset() + slice.position()).isEqualTo(at);
                at += slice.remaining();
            }
        }
    }

    @Test
    void anEmptyBodyCompletesAtOnceAndCancelStopsIt() {
        Collector empty = new Collector(1);
        ByteArrayBody.of(new byte[4], 2, 0).subscribe(empty);
        assertThat(empty.completed).isEqualTo(1);
        assertThat(empty.sliceSizes).isEmpty();

        Collector cancelled = new Collector(1) {
            @Override
            public void onNext(ByteBuffer item) {
                sliceSizes.add(item.remaining());
                subscription.cancel();
                subscription.request(1); // ignored after cancel
            }
        };
        ByteArrayBody.of(data(5 * ByteArrayBody.SLICE_BYTES), 0, 5 * ByteArrayBody.SLICE_BYTES).subscribe(cancelled);
        assertThat(cancelled.sliceSizes).hasSize(1);
        assertThat(cancelled.completed).isZero();
    }

    @Test
    void aNonPositiveRequestIsAnError() {
        Collector c = new Collector(1) {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(0);
            }
        };
        ByteArrayBody.of(data(10), 0, 10).subscribe(c);
        assertThat(c.error).isInstanceOf(IllegalArgumentException.class);
        assertThat(c.completed).isZero();
    }
}

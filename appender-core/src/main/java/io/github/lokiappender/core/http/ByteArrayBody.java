package io.github.lokiappender.core.http;

import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request body that hands the HTTP client slices of the encoded array itself, where the JDK's
 * {@code BodyPublishers.ofByteArray} copies the whole body into new buffers for every request
 * (about as many bytes of garbage as were sent). The array must stay unchanged until the exchange
 * is over; when it is abandoned (timeout, failure) the sender detaches the encoder's arrays instead
 * of reusing them ({@link io.github.lokiappender.core.encode.PushEncoder#detachBuffers()}).
 */
final class ByteArrayBody implements Flow.Publisher<ByteBuffer> {

    /** Slice size: what the socket layer copies to a direct buffer at a time. */
    static final int SLICE_BYTES = 64 * 1024;

    private final byte[] array;
    private final int offset;
    private final int length;

    private ByteArrayBody(byte[] array, int offset, int length) {
        this.array = array;
        this.offset = offset;
        this.length = length;
    }

    /** A publisher of {@code array[offset, offset + length)} with its content length set. */
    static HttpRequest.BodyPublisher of(byte[] array, int offset, int length) {
        if (length == 0) {
            return HttpRequest.BodyPublishers.noBody(); // the client wants a positive length from a publisher
        }
        return HttpRequest.BodyPublishers.fromPublisher(new ByteArrayBody(array, offset, length), length);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        // every subscription (a retry, a redirect) starts from the beginning
        subscriber.onSubscribe(new Slices(subscriber));
    }

    /** Emits the slices on demand; reentrant calls to request (from onNext) only add demand. */
    private final class Slices implements Flow.Subscription {
        private final Flow.Subscriber<? super ByteBuffer> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private int next = offset;
        private volatile boolean done;

        Slices(Flow.Subscriber<? super ByteBuffer> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (done) {
                return;
            }
            if (n <= 0) {
                done = true;
                subscriber.onError(new IllegalArgumentException("non-positive request: " + n));
                return;
            }
            // the thread that raises demand from zero emits; others (and reentrant calls) only add to it
            if (demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b) != 0) {
                return;
            }
            long granted = demand.get();
            while (true) {
                long sent = 0;
                while (sent < granted && !done) {
                    int end = offset + length;
                    if (next >= end) {
                        done = true;
                        subscriber.onComplete();
                        return;
                    }
                    int n2 = Math.min(SLICE_BYTES, end - next);
                    ByteBuffer slice = ByteBuffer.wrap(array, next, n2).slice();
                    next += n2;
                    sent++;
                    subscriber.onNext(slice);
                }
                if (done) {
                    return;
                }
                if (next >= offset + length) {
                    // everything was emitted: complete without waiting for more demand
                    done = true;
                    subscriber.onComplete();
                    return;
                }
                granted = demand.addAndGet(-sent);
                if (granted == 0) {
                    return;
                }
            }
        }

        @Override
        public void cancel() {
            done = true;
        }
    }
}

package io.github.lokiappender.core.reliability;

import io.github.lokiappender.core.LokiConfig;
import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.http.RecordingStatus;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.testsupport.FakeLoki;
import io.github.lokiappender.testsupport.FaultyProxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What every fault-injection test needs: an in-process Loki, a proxy in front of it, pipelines
 * pointed at the proxy with fast retries, captured status messages, and cleanup of all of it.
 */
final class FaultRig implements AutoCloseable {

    /** Now, so that Loki's age limits accept the entries. */
    static final long T0 = System.currentTimeMillis() * 1_000_000L;

    final FakeLoki loki;
    final FaultyProxy proxy;
    final RecordingStatus status = new RecordingStatus();
    private final List<LokiPipeline> pipelines = new ArrayList<>();

    FaultRig() {
        this(FakeLoki.start());
    }

    FaultRig(FakeLoki loki) {
        this.loki = loki;
        this.proxy = FaultyProxy.start(loki.url());
    }

    /** Options shared by the tests: through the proxy, short timeouts and backoffs. */
    LokiConfig.Builder config() {
        return LokiConfig.builder().url(proxy.url()).name("reliability").jmx(false)
                .connectTimeoutMs(1_000).requestTimeoutMs(2_000)
                .retryMinBackoffMs(20).retryMaxBackoffMs(200).flushIntervalMs(20);
    }

    LokiPipeline start(Consumer<LokiConfig.Builder> options) {
        LokiConfig.Builder b = config();
        options.accept(b);
        LokiPipeline p = LokiPipeline.start(b.build(), status);
        pipelines.add(p);
        return p;
    }

    LokiPipeline track(LokiPipeline p) {
        pipelines.add(p);
        return p;
    }

    static LabelSet labels(String... kv) {
        String[] n = new String[kv.length / 2];
        String[] v = new String[kv.length / 2];
        for (int i = 0; i < n.length; i++) {
            n[i] = kv[2 * i];
            v[i] = kv[2 * i + 1];
        }
        return LabelSet.of(n, v);
    }

    /** A line of fixed length that names its stream and sequence number, so tests can tell which arrived. */
    static String line(String stream, int seq) {
        return String.format("%s-%07d", stream, seq);
    }

    static int seqOf(String line) {
        return Integer.parseInt(line.substring(line.lastIndexOf('-') + 1));
    }

    static LokiEvent event(LokiPipeline p, LabelSet labels, String stream, int seq) {
        return LokiEvent.of(T0 + seq * 1_000L, line(stream, seq), p.labelSets().intern(labels));
    }

    @Override
    public void close() {
        for (LokiPipeline p : pipelines) {
            p.close(Duration.ofSeconds(2));
        }
        proxy.close();
        loki.close();
    }
}

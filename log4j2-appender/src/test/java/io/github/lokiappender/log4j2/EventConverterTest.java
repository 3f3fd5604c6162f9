package io.github.lokiappender.log4j2;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.labels.LabelSetRegistry;
import io.github.lokiappender.core.stats.PipelineStats;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.core.pattern.PatternParser;
import org.apache.logging.log4j.core.time.MutableInstant;
import org.apache.logging.log4j.message.SimpleMessage;
import org.apache.logging.log4j.util.SortedArrayStringMap;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** LogEvent to LokiEvent: timestamps, label resolution and its cache, structured metadata, garbage. */
class EventConverterTest {

    private final PatternParser parser = PatternLayout.createPatternParser(null);
    private final PipelineStats stats = new PipelineStats();

    @Test
    void timestampIsEpochNanosecondsFromTheEventsInstant() {
        MutableInstant instant = new MutableInstant();
        instant.initFromEpochSecond(1_732_400_000L, 123_456_789);
        LogEvent event = Log4jLogEvent.newBuilder().setInstant(instant).setMessage(new SimpleMessage("m")).build();

        assertThat(EventConverter.timestampNanos(event)).isEqualTo(1_732_400_000_123_456_789L);
        assertThat(converter(labels(Label.of("app", "shop")), List.of(), 10).convert(event).timestampNanos())
                .isEqualTo(1_732_400_000_123_456_789L);
    }

    @Test
    void patternLabelValuesAreNeverConfusedWithOneAnother() {
        EventConverter c = converter(labels(Label.ofPattern("a", "%X{a}"), Label.ofPattern("b", "%X{b}")), List.of(), 100);

        LabelSet first = c.convert(event("ab", "c")).labels();
        LabelSet second = c.convert(event("a", "bc")).labels();
        LabelSet third = c.convert(event("a\u0000\u0001", "\u0002")).labels();
        LabelSet fourth = c.convert(event("a", "\u0000\u0001\u0002")).labels();

        assertThat(first.asMap()).isEqualTo(Map.of("a", "ab", "b", "c"));
        assertThat(second.asMap()).isEqualTo(Map.of("a", "a", "b", "bc"));
        assertThat(third.asMap()).isEqualTo(Map.of("a", "a\u0000\u0001", "b", "\u0002"));
        assertThat(fourth.asMap()).isEqualTo(Map.of("a", "a", "b", "\u0000\u0001\u0002"));
    }

    @Test
    void repeatedValuesGiveTheSameInternedLabelSet() {
        LabelSetRegistry registry = registry(100);
        EventConverter c = new EventConverter(line("%msg"), labels(Label.of("app", "shop"), Label.ofPattern("level", "%level"),
                Label.ofPattern("user", "%X{a}")), List.of(), registry);

        LabelSet once = c.convert(event("bob", "")).labels();
        LabelSet again = c.convert(event("bob", "")).labels();
        LabelSet other = c.convert(event("eve", "")).labels();

        assertThat(again).isSameAs(once);
        assertThat(registry.intern(LabelSet.of(Map.of("app", "shop", "level", "INFO", "user", "bob")))).isSameAs(once);
        assertThat(other.asMap()).isEqualTo(Map.of("app", "shop", "level", "INFO", "user", "eve"));
        assertThat(registry.size()).isEqualTo(2);
    }

    /** Labels that print only the level are looked up by the level: same sets as through the key path. */
    @Test
    void levelOnlyLabelsAreLookedUpByLevelIncludingCustomLevelsSharingASlot() {
        LabelSetRegistry registry = registry(100);
        EventConverter c = new EventConverter(line("%msg"), labels(Label.of("app", "shop"), Label.ofPattern("level", "%level"),
                Label.ofPattern("sev", "%p%level{lowerCase=true}")), List.of(), registry);
        Level notice = Level.forName("NOTICE", 450); // intLevel / 100 == INFO's: same slot, another level

        LabelSet info = c.convert(eventAt(Level.INFO)).labels();
        LabelSet warn = c.convert(eventAt(Level.WARN)).labels();
        LabelSet noticeSet = c.convert(eventAt(notice)).labels();
        LabelSet infoAgain = c.convert(eventAt(Level.INFO)).labels();
        LabelSet noticeAgain = c.convert(eventAt(notice)).labels();

        assertThat(info.asMap()).isEqualTo(Map.of("app", "shop", "level", "INFO", "sev", "INFOinfo"));
        assertThat(warn.asMap()).isEqualTo(Map.of("app", "shop", "level", "WARN", "sev", "WARNwarn"));
        // (Log4j2's lowerCase option knows the standard levels only; what matters here is NOTICE's own set)
        assertThat(noticeSet.asMap()).containsEntry("level", "NOTICE").doesNotContainEntry("sev", "INFOinfo");
        assertThat(infoAgain).isSameAs(info);
        assertThat(noticeAgain).isSameAs(noticeSet);
        assertThat(registry.intern(LabelSet.of(Map.of("app", "shop", "level", "WARN", "sev", "WARNwarn")))).isSameAs(warn);
        assertThat(registry.size()).isEqualTo(3);
    }

    @Test
    void levelOnlyLabelsDoNotFormatAKeyOnceTheLevelIsKnown() {
        LabelResolver levels = new LabelResolver(labels(Label.of("app", "shop"), Label.ofPattern("level", "%level")),
                registry(100));
        LabelResolver mdc = new LabelResolver(labels(Label.ofPattern("user", "%X{a}")), registry(100));
        StringBuilder key = new StringBuilder();

        LabelSet first = levels.resolve(eventAt(Level.WARN), key);
        key.setLength(0);
        key.append("untouched");
        LabelSet again = levels.resolve(eventAt(Level.WARN), key);

        assertThat(again).isSameAs(first);
        assertThat(key).hasToString("untouched");
        StringBuilder other = new StringBuilder("untouched");
        mdc.resolve(event("bob", ""), other);
        assertThat(other.toString()).isNotEqualTo("untouched"); // any other pattern formats its key
    }

    @Test
    void levelOnlyLabelsPastTheStreamCapAreCountedForEveryEvent() {
        LabelSetRegistry registry = registry(1);
        EventConverter c = new EventConverter(line("%msg"), labels(Label.ofPattern("level", "%level")), List.of(), registry);

        c.convert(eventAt(Level.INFO));
        LabelSet over1 = c.convert(eventAt(Level.WARN)).labels();
        LabelSet over2 = c.convert(eventAt(Level.WARN)).labels();

        assertThat(over1).isSameAs(registry.overflowSet());
        assertThat(over2).isSameAs(registry.overflowSet());
        assertThat(stats.snapshot().streamsOverflowed()).isEqualTo(2);
    }

    @Test
    void longValuesAreCutToLokisLimit() {
        EventConverter c = converter(labels(Label.ofPattern("a", "%X{a}")), List.of(), 10);
        String longValue = "x".repeat(5_000);

        LabelSet set = c.convert(event(longValue, "")).labels();
        LabelSet sameStart = c.convert(event(longValue + "tail", "")).labels();

        assertThat(set.get("a")).isEqualTo("x".repeat(LabelSet.MAX_VALUE_BYTES));
        assertThat(sameStart).isSameAs(set);
    }

    @Test
    void eventsPastTheStreamCapGoToTheOverflowSetAndEachIsCounted() {
        List<FieldSpec> specs = labels(Label.of("app", "shop"), Label.ofPattern("user", "%X{a}"));
        LabelSetRegistry registry = new LabelSetRegistry(1, LabelResolver.overflowLabels(specs), stats);
        EventConverter c = new EventConverter(line("%msg"), specs, List.of(), registry);

        assertThat(c.convert(event("u1", "")).labels().asMap()).isEqualTo(Map.of("app", "shop", "user", "u1"));
        for (int i = 0; i < 3; i++) {
            assertThat(c.convert(event("u2", "")).labels().asMap())
                    .isEqualTo(Map.of("app", "shop", "loki_appender_overflow", "stream_limit"));
        }
        assertThat(stats.snapshot().streamsOverflowed()).isEqualTo(3);
    }

    @Test
    void eventsWithoutAnyLabelGetTheFallbackSet() {
        EventConverter c = converter(labels(Label.ofPattern("user", "%X{a}")), List.of(), 10);

        assertThat(c.convert(event("", "")).labels()).isEqualTo(LabelResolver.NO_LABELS_FALLBACK);
        assertThat(converter(List.of(), List.of(), 10).convert(event("", "")).labels().asMap())
                .isEqualTo(Map.of("service_name", "unknown_service"));
    }

    @Test
    void structuredMetadataKeepsOrderAndLeavesOutEmptyValues() {
        List<String> problems = new ArrayList<>();
        List<FieldSpec> md = FieldSpecs.metadata("t", new StructuredMetadata[]{
                StructuredMetadata.ofPattern("trace_id", "%X{a}"), StructuredMetadata.of("region", "eu-1"),
                StructuredMetadata.ofPattern("span_id", "%X{b}"), StructuredMetadata.of("empty", "")}, parser, problems);
        EventConverter c = converter(labels(Label.of("app", "shop")), md, 10);

        LokiEvent full = c.convert(event("t-1", "s-1"));
        LokiEvent partial = c.convert(event("", "s-2"));

        assertThat(problems).isEmpty();
        assertThat(metadata(full)).containsExactly("trace_id", "t-1", "region", "eu-1", "span_id", "s-1");
        assertThat(metadata(partial)).containsExactly("region", "eu-1", "span_id", "s-2");
    }

    /**
     * The caller-thread path allocates nothing in steady state: the line is formatted into the
     * thread's builder and copied into the pipeline's buffer, label values of known streams come
     * from the cache. (While each call made an event and a line array: 176 bytes per call.)
     */
    @Test
    void steadyStateConversionAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] sink = new long[1];
        EventConverter c = new EventConverter(line("%msg"), labels(Label.of("app", "shop"), Label.ofPattern("level", "%level"),
                Label.ofPattern("user", "%X{a}"), Label.ofPattern("logger", "%logger")), List.of(), registry(100),
                (ts, text, set, md, scratch) -> {
                    sink[0] += scratch.encode(text) + set.size(); // as the pipeline does: ASCII, one byte per char
                    scratch.release();
                    return true;
                });
        LogEvent event = event("bob", "");
        for (int i = 0; i < 200_000; i++) {
            c.offer(event);
        }

        int n = 100_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) {
            c.offer(event);
        }
        long perEvent = (threads.getCurrentThreadAllocatedBytes() - before) / n;

        assertThat(sink[0]).isEqualTo(300_000L * (event.getMessage().getFormattedMessage().length() + 4));
        assertThat(perEvent).as("bytes allocated per event").isLessThanOrEqualTo(8);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private List<FieldSpec> labels(Label... labels) {
        List<String> problems = new ArrayList<>();
        List<FieldSpec> specs = FieldSpecs.labels("t", labels, parser, problems);
        assertThat(problems).isEmpty();
        return specs;
    }

    private EventConverter converter(List<FieldSpec> labels, List<FieldSpec> metadata, int maxStreams) {
        return new EventConverter(line("%msg"), labels, metadata, registry(maxStreams));
    }

    private LabelSetRegistry registry(int maxStreams) {
        return new LabelSetRegistry(maxStreams, LokiPipeline.DEFAULT_OVERFLOW_LABELS, stats);
    }

    private static LineRenderer line(String pattern) {
        return new LineRenderer(PatternLayout.newBuilder().withPattern(pattern).build());
    }

    private static LogEvent event(String a, String b) {
        SortedArrayStringMap context = new SortedArrayStringMap();
        if (!a.isEmpty()) {
            context.putValue("a", a);
        }
        if (!b.isEmpty()) {
            context.putValue("b", b);
        }
        return Log4jLogEvent.newBuilder().setLoggerName("shop.orders").setLevel(Level.INFO)
                .setMessage(new SimpleMessage("a steady twenty-seven chars")).setContextData(context)
                .setTimeMillis(1_732_400_000_000L).build();
    }

    private static LogEvent eventAt(Level level) {
        return Log4jLogEvent.newBuilder().setLoggerName("shop.orders").setLevel(level)
                .setMessage(new SimpleMessage("m")).setTimeMillis(1_732_400_000_000L).build();
    }

    private static List<String> metadata(LokiEvent e) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < e.metadataCount(); i++) {
            out.add(e.metadataName(i));
            out.add(e.metadataValue(i));
        }
        return out;
    }
}

package io.github.lokiappender.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.labels.LabelSetRegistry;
import io.github.lokiappender.core.labels.LabelSpec;
import io.github.lokiappender.core.stats.PipelineStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How label and structured metadata patterns become per-event values, and how label sets are reused. */
class LabelResolverTest {

    private final LoggerContext ctx = new LoggerContext();
    private final PipelineStats stats = new PipelineStats();
    private static final LabelSet FALLBACK = LabelSet.of(new String[]{"service_name"}, new String[]{"svc"});
    private static final LabelSet OVERFLOW = LabelSet.of(new String[]{"loki_appender_overflow"}, new String[]{"stream_limit"});

    {
        ctx.setName("test-app");
        ctx.setMDCAdapter(MDC.getMDCAdapter());
    }

    @AfterEach
    void stop() {
        ctx.stop();
        MDC.clear();
    }

    private LoggingEvent event(String logger, Level level, String message, Throwable t) {
        return new LoggingEvent(LabelResolverTest.class.getName(), ctx.getLogger(logger), level, message, t, null);
    }

    private LabelResolver resolver(String labels, int maxStreams) {
        List<String> problems = new ArrayList<>();
        List<LabelSpec> specs = LabelSpec.parseList(labels, "labels", problems, true);
        assertThat(problems).isEmpty();
        List<EventValue> values = new ArrayList<>();
        for (LabelSpec s : specs) {
            values.add(EventValue.isStatic(s.pattern()) ? null : EventValue.compile(s.pattern(), ctx));
        }
        return LabelResolver.create(specs, values, new LabelSetRegistry(maxStreams, OVERFLOW, stats), FALLBACK);
    }

    @Test
    void staticLabelsGiveOneLabelSetForEveryEvent() {
        LabelResolver r = resolver("app=shop, env=prod", 10);
        LabelSet a = r.resolve(event("x", Level.INFO, "a", null));
        LabelSet b = r.resolve(event("y", Level.ERROR, "b", null));
        assertThat(r.isFixed()).isTrue();
        assertThat(a).isSameAs(b);
        assertThat(a.asMap()).containsExactly(Map.entry("app", "shop"), Map.entry("env", "prod"));
    }

    @Test
    void equalDynamicValuesReuseTheInternedLabelSet() {
        LabelResolver r = resolver("app=shop, level=%level", 10);
        LabelSet info1 = r.resolve(event("x", Level.INFO, "a", null));
        LabelSet info2 = r.resolve(event("y", Level.INFO, "b", null));
        LabelSet error = r.resolve(event("x", Level.ERROR, "c", null));
        assertThat(info1).isSameAs(info2);
        assertThat(error.render()).isEqualTo("{app=\"shop\", level=\"ERROR\"}");
        assertThat(r.dynamicCount()).isEqualTo(1);
        assertThat(r.cachedCombinations()).isEqualTo(2);
        assertThat(r.resolve(event("z", Level.ERROR, "d", null))).isSameAs(error);
    }

    @Test
    void upToThreeDynamicValuesAreLookedUpWithoutAnArrayAndNeverConfused() {
        for (String labels : new String[]{"app=shop, level=%level, t=%mdc{t}", "level=%level, t=%mdc{t}, u=%mdc{u}",
                "level=%level, t=%mdc{t}, u=%mdc{u}, v=%mdc{v}"}) {
            LabelResolver r = resolver(labels, 100);
            MDC.put("t", "ab");
            MDC.put("u", "c");
            LabelSet first = r.resolve(event("x", Level.INFO, "1", null));
            LabelSet again = r.resolve(event("y", Level.INFO, "2", null));
            MDC.put("t", "a");
            MDC.put("u", "bc");
            LabelSet other = r.resolve(event("x", Level.INFO, "3", null));
            MDC.remove("t");
            MDC.remove("u");
            assertThat(again).as(labels).isSameAs(first);
            assertThat(other).as(labels).isNotSameAs(first);
            assertThat(other.get("t")).isEqualTo("a");
            assertThat(first.get("t")).isEqualTo("ab");
            assertThat(r.cachedCombinations()).as(labels).isEqualTo(2);
        }
    }

    @Test
    void emptyValuesAreLeftOutAndAnEventWithoutLabelsGetsTheFallback() {
        LabelResolver r = resolver("tenant=%mdc{tenant}, user=%kvp{user}", 10);
        LoggingEvent none = event("x", Level.INFO, "a", null);
        assertThat(r.resolve(none)).isSameAs(r.resolve(event("x", Level.INFO, "b", null)));
        assertThat(r.resolve(none).asMap()).containsExactly(Map.entry("service_name", "svc"));

        MDC.put("tenant", "acme");
        LoggingEvent withMdc = event("x", Level.INFO, "c", null);
        withMdc.addKeyValuePair(new org.slf4j.event.KeyValuePair("user", "alice"));
        assertThat(r.resolve(withMdc).asMap()).containsExactly(Map.entry("tenant", "acme"), Map.entry("user", "alice"));
    }

    @Test
    void generalPatternsGoThroughAPatternLayoutWithoutStackTraces() {
        LabelResolver r = resolver("source=%logger{0}/%level, who=u:%kvp{user}", 10);
        LoggingEvent e = event("shop.orders.OrderService", Level.ERROR, "boom", new IllegalStateException("x"));
        e.addKeyValuePair(new org.slf4j.event.KeyValuePair("user", 7));
        assertThat(r.resolve(e).asMap())
                .containsExactly(Map.entry("source", "OrderService/ERROR"), Map.entry("who", "u:7"));
    }

    @Test
    void kvpWithoutAKeyRendersAllPairsLikeLogback() {
        EventValue all = EventValue.compile("[%kvp]", ctx);
        EventValue none = EventValue.compile("%kvp{NONE}", ctx);
        LoggingEvent e = event("x", Level.INFO, "m", null);
        e.addKeyValuePair(new org.slf4j.event.KeyValuePair("a", 1));
        e.addKeyValuePair(new org.slf4j.event.KeyValuePair("b", "two"));
        assertThat(all.value(e)).isEqualTo("[a=\"1\" b=\"two\"]");
        assertThat(none.value(e)).isEqualTo("a=1 b=two");
    }

    @Test
    void singleTokenPatternsMatchWhatPatternLayoutWouldPrint() {
        MDC.put("k", "v");
        LoggingEvent e = event("a.b.C", Level.WARN, "m", null);
        e.addKeyValuePair(new org.slf4j.event.KeyValuePair("key", "val"));
        for (String p : List.of("%level", "%le", "%p", "%logger", "%lo", "%c", "%thread", "%t", "%mdc{k}", "%X{k}",
                "%kvp{key}", "%mdc{missing}", "%kvp{missing}")) {
            EventValue fast = EventValue.compile(p, ctx);
            EventValue viaLayout = EventValue.compile("<" + p + ">", ctx);
            String v = fast.value(e);
            assertThat("<" + (v == null ? "" : v) + ">").as(p).isEqualTo(viaLayout.value(e));
        }
    }

    @Test
    void pastTheStreamCapEventsGoToTheOverflowSetAndAreCounted() {
        LabelResolver r = resolver("app=shop, user=%mdc{user}", 2);
        for (String user : List.of("u1", "u2", "u3", "u4")) {
            MDC.put("user", user);
            LabelSet s = r.resolve(event("x", Level.INFO, "m", null));
            if (user.equals("u1") || user.equals("u2")) {
                assertThat(s.get("user")).isEqualTo(user);
            } else {
                assertThat(s).isSameAs(OVERFLOW);
            }
        }
        MDC.put("user", "u1");
        assertThat(r.resolve(event("x", Level.INFO, "m", null)).get("user")).isEqualTo("u1");
        assertThat(stats.snapshot().streamsOverflowed()).isEqualTo(2);
        assertThat(r.cachedCombinations()).isEqualTo(2);
    }
}

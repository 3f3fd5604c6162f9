package io.github.lokiappender.core.labels;

import io.github.lokiappender.core.stats.PipelineStats;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelSetTest {

    @Test
    void rendersSortedWithEscapes() {
        LabelSet s = LabelSet.of(new String[]{"level", "app", "msg"},
                new String[]{"info", "shop", "say \"hi\"\\\nbye"});
        assertThat(s.render()).isEqualTo("{app=\"shop\", level=\"info\", msg=\"say \\\"hi\\\"\\\\\\nbye\"}");
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.name(0)).isEqualTo("app");
        assertThat(s.get("level")).isEqualTo("info");
        assertThat(s.get("nope")).isNull();
        assertThat(s.render()).isSameAs(s.render());
        assertThat(s.toString()).isEqualTo(s.render());
    }

    @Test
    void leavesOutEmptyValues() {
        LabelSet s = LabelSet.of(new String[]{"app", "user", "trace"}, new String[]{"shop", "", null});
        assertThat(s.render()).isEqualTo("{app=\"shop\"}");
        assertThat(LabelSet.of(new String[]{"a"}, new String[]{""})).isSameAs(LabelSet.EMPTY);
        assertThat(LabelSet.EMPTY.render()).isEqualTo("{}");
    }

    @Test
    void equalRegardlessOfInputOrder() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("b", "2");
        m.put("a", "1");
        LabelSet x = LabelSet.of(m);
        LabelSet y = LabelSet.of(new String[]{"a", "b"}, new String[]{"1", "2"});
        assertThat(x).isEqualTo(y).hasSameHashCodeAs(y);
        assertThat(x.asMap()).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
        assertThat(x).isNotEqualTo(LabelSet.of(new String[]{"a", "b"}, new String[]{"1", "3"}));
    }

    @Test
    void rejectsInvalidAndDuplicateNames() {
        assertThatThrownBy(() -> LabelSet.of(new String[]{"a-b"}, new String[]{"x"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a-b'");
        assertThatThrownBy(() -> LabelSet.of(new String[]{"a", "a"}, new String[]{"x", "y"}))
                .hasMessageContaining("duplicate label name: 'a'");
        assertThatThrownBy(() -> LabelSet.of(new String[]{"a"}, new String[]{"x", "y"}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cutsLongValuesAndReplacesLoneSurrogates() {
        String longValue = "é".repeat(1500); // 3000 bytes
        LabelSet s = LabelSet.of(new String[]{"v", "w"}, new String[]{longValue, "a\uD800b"});
        assertThat(s.get("v")).isEqualTo("é".repeat(1024));
        assertThat(s.get("w")).isEqualTo("a\uFFFDb");
    }

    @Test
    void namesAreValidatedAndSanitizedLikeLoki() {
        assertThat(LabelNames.isValid("app")).isTrue();
        assertThat(LabelNames.isValid("_x9")).isTrue();
        assertThat(LabelNames.isValid("9x")).isFalse();
        assertThat(LabelNames.isValid("__name__")).isFalse();
        assertThat(LabelNames.isValid("a.b")).isFalse();
        assertThat(LabelNames.isValid("")).isFalse();
        assertThat(LabelNames.sanitize("app")).isEqualTo("app");
        assertThat(LabelNames.sanitize("trace.id")).isEqualTo("trace_id");
        assertThat(LabelNames.sanitize("9lives")).isEqualTo("_9lives");
        assertThat(LabelNames.sanitize("__meta")).isEqualTo("_meta");
        assertThat(LabelNames.sanitize("k8s-pod name")).isEqualTo("k8s_pod_name");
        assertThat(LabelNames.sanitize("ünï")).isEqualTo("_n_");
        assertThat(LabelNames.sanitize("x".repeat(2000))).hasSize(1024);
        assertThatThrownBy(() -> LabelNames.sanitize("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void registryInternsAndCapsStreams() {
        PipelineStats stats = new PipelineStats();
        LabelSet overflow = LabelSet.of(new String[]{"app", "overflow"}, new String[]{"shop", "true"});
        LabelSetRegistry r = new LabelSetRegistry(2, overflow, stats);
        LabelSet a1 = r.intern(LabelSet.of(new String[]{"u"}, new String[]{"1"}));
        LabelSet a2 = r.intern(LabelSet.of(new String[]{"u"}, new String[]{"1"}));
        assertThat(a2).isSameAs(a1);
        LabelSet b = r.intern(LabelSet.of(new String[]{"u"}, new String[]{"2"}));
        assertThat(b.get("u")).isEqualTo("2");
        assertThat(r.size()).isEqualTo(2);
        LabelSet c = r.intern(LabelSet.of(new String[]{"u"}, new String[]{"3"}));
        LabelSet d = r.intern(LabelSet.of(new String[]{"u"}, new String[]{"4"}));
        assertThat(c).isSameAs(overflow);
        assertThat(d).isSameAs(overflow);
        assertThat(r.intern(LabelSet.of(new String[]{"u"}, new String[]{"2"}))).isSameAs(b);
        assertThat(r.size()).isEqualTo(2);
        assertThat(stats.snapshot().streamsOverflowed()).isEqualTo(2);
        assertThatThrownBy(() -> new LabelSetRegistry(0, overflow, stats)).hasMessageContaining("maxStreams");
    }

    @Test
    void parsesLabelSpecLists() {
        java.util.List<String> problems = new java.util.ArrayList<>();
        var specs = LabelSpec.parseList(" app=shop, level=%level ,trace.id=%mdc{t}, eq=a=b ", "labels", problems, true);
        assertThat(problems).isEmpty();
        assertThat(specs).extracting(LabelSpec::name).containsExactly("app", "level", "trace_id", "eq");
        assertThat(specs).extracting(LabelSpec::pattern).containsExactly("shop", "%level", "%mdc{t}", "a=b");
        assertThat(specs.get(2).wasSanitized()).isTrue();
        assertThat(specs.get(2).originalName()).isEqualTo("trace.id");

        var multi = LabelSpec.parseList("app=shop\n  msg=%replace(%msg){',', ';'},\n\n", "labels", problems, true);
        assertThat(multi).extracting(LabelSpec::pattern).containsExactly("shop", "%replace(%msg){',', ';'}");

        LabelSpec.parseList("novalue, =x, a=1, a=2", "labels", problems, true);
        assertThat(problems).containsExactly(
                "'labels' entry 'novalue' is not name=value",
                "'labels' has an entry without a name",
                "'labels' names 'a' twice");
        assertThat(LabelSpec.parseList("  ", "labels", problems, true)).isEmpty();
        assertThat(LabelSpec.parseList("trace.id=x", "structuredMetadata", problems, false).get(0).name()).isEqualTo("trace.id");
    }
}

package io.github.lokiappender.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogQlParserTest {

    private static List<String> flat(List<String[]> pairs) {
        return pairs.stream().map(p -> p[0] + "=" + p[1]).toList();
    }

    @Test
    void parsesPushLabelStringsWithEscapesAndQuoteStyles() {
        assertThat(flat(LogQlParser.parseLabelSet("{app=\"shop\", env=\"prod\"}"))).containsExactly("app=shop", "env=prod");
        assertThat(flat(LogQlParser.parseLabelSet(" { a = \"q\\\"b\\\\s\\nn\" , } ")))
                .containsExactly("a=q\"b\\s\nn");
        assertThat(flat(LogQlParser.parseLabelSet("{a='x\\'y', b=`raw\\n`}"))).containsExactly("a=x'y", "b=raw\\n");
        assertThat(flat(LogQlParser.parseLabelSet("{a=\"\\u00e9\\xc3\\xa9\\303\\251\"}"))).containsExactly("a=ééé");
        assertThat(LogQlParser.parseLabelSet("{}")).isEmpty();
        assertThat(flat(LogQlParser.parseLabelSet("{a=\"1\",a=\"2\"}"))).containsExactly("a=1", "a=2");
    }

    @Test
    void rejectsMalformedLabelStrings() {
        assertThatThrownBy(() -> LogQlParser.parseLabelSet("app=\"x\""))
                .hasMessage("parse error at line 1, col 1: syntax error: unexpected a, expecting {");
        assertThatThrownBy(() -> LogQlParser.parseLabelSet("{app=\"x}"))
                .hasMessageContaining("literal not terminated");
        assertThatThrownBy(() -> LogQlParser.parseLabelSet("{app=~\"x\"}"))
                .hasMessageContaining("unexpected =~ in a label set");
        assertThatThrownBy(() -> LogQlParser.parseLabelSet("{1app=\"x\"}"))
                .hasMessageContaining("expecting IDENTIFIER");
        assertThatThrownBy(() -> LogQlParser.parseLabelSet("{app=\"x\" env=\"y\"}"))
                .hasMessageContaining("col 10: syntax error: unexpected e, expecting }");
        assertThatThrownBy(() -> LogQlParser.parseLabelSet("{a=\"\\q\"}"))
                .hasMessageContaining("invalid escape sequence \\q");
        assertThatThrownBy(() -> LogQlParser.parseLabelSet("{a=\"x\"} trailing"))
                .hasMessageContaining("expecting end of input");
    }

    @Test
    void parsesSelectorsWithAllMatcherTypesAndLineFilters() {
        LabelSelector s = (LabelSelector) LogQlParser.parseQuery(
                "{app=\"shop\", env!=\"dev\", pod=~\"web-.*\", zone!~\"eu.*\"} |= \"error\" != `debug` |~ \"id=\\\\d+\" !~ \"(?i)TIMEOUT\"");
        assertThat(s.matchers).extracting(m -> m.name + m.type.symbol + m.value)
                .containsExactly("app=shop", "env!=dev", "pod=~web-.*", "zone!~eu.*");
        assertThat(s.filters).extracting(f -> f.type.symbol + f.value)
                .containsExactly("|=error", "!=debug", "|~id=\\d+", "!~(?i)TIMEOUT");
        assertThat(s.matchesLabels(Map.of("app", "shop", "pod", "web-1", "zone", "us"))).isTrue();
        assertThat(s.matchesLabels(Map.of("app", "shop", "pod", "web-1", "zone", "eu-west"))).isFalse();
        assertThat(s.matchesLabels(Map.of("app", "shop", "env", "dev", "pod", "web-1"))).isFalse();
        // regexes on labels are anchored
        assertThat(s.matchesLabels(Map.of("app", "shop", "pod", "xweb-1"))).isFalse();
        assertThat(s.matchesLine("an error for id=42")).isTrue();
        assertThat(s.matchesLine("an error for id=x")).isFalse();
        assertThat(s.matchesLine("debug error id=1")).isFalse();
        assertThat(s.matchesLine("error id=1 timeout")).isFalse();
    }

    @Test
    void knowsEmptyCompatibleSelectors() {
        assertThat(((LabelSelector) LogQlParser.parseQuery("{app=~\".*\"}")).hasNonEmptyCompatibleMatcher()).isFalse();
        assertThat(((LabelSelector) LogQlParser.parseQuery("{app=\"\"}")).hasNonEmptyCompatibleMatcher()).isFalse();
        assertThat(((LabelSelector) LogQlParser.parseQuery("{app!=\"x\"}")).hasNonEmptyCompatibleMatcher()).isFalse();
        assertThat(((LabelSelector) LogQlParser.parseQuery("{app=~\".+\"}")).hasNonEmptyCompatibleMatcher()).isTrue();
        assertThat(((LabelSelector) LogQlParser.parseQuery("{app!=\"\"}")).hasNonEmptyCompatibleMatcher()).isTrue();
    }

    @Test
    void parsesSupportedMetricQueries() {
        MetricQuery q = (MetricQuery) LogQlParser.parseQuery("count_over_time({app=\"x\"} |= \"err\" [5m])");
        assertThat(q.sum).isFalse();
        assertThat(q.rangeNanos).isEqualTo(300_000_000_000L);
        assertThat(q.selector.filters).hasSize(1);

        MetricQuery sum = (MetricQuery) LogQlParser.parseQuery("sum(count_over_time({app=\"x\"}[1h30m]))");
        assertThat(sum.sum).isTrue();
        assertThat(sum.by).isEmpty();
        assertThat(sum.rangeNanos).isEqualTo(5_400_000_000_000L);

        assertThat(((MetricQuery) LogQlParser.parseQuery("sum by (env, app) (count_over_time({app=\"x\"}[1m]))")).by)
                .containsExactly("env", "app");
        assertThat(((MetricQuery) LogQlParser.parseQuery("sum(count_over_time({app=\"x\"}[1m])) by (env)")).by)
                .containsExactly("env");
    }

    @Test
    void reportsWhatTheStandInDoesNotSupport() {
        assertThatThrownBy(() -> LogQlParser.parseQuery("rate({app=\"x\"}[1m])"))
                .hasMessage("unsupported by stand-in: function or aggregation 'rate'");
        assertThatThrownBy(() -> LogQlParser.parseQuery("{app=\"x\"} | json"))
                .hasMessageStartingWith("unsupported by stand-in: pipeline stage");
        assertThatThrownBy(() -> LogQlParser.parseQuery("{}"))
                .hasMessage("parse error at line 1, col 2: syntax error: unexpected }, expecting IDENTIFIER");
        assertThatThrownBy(() -> LogQlParser.parseQuery("{app=~\"(\"}")).hasMessageStartingWith("error parsing regexp");
        assertThatThrownBy(() -> LogQlParser.parseQuery("count_over_time({app=\"x\"}[5 minutes])"))
                .hasMessageContaining("not a valid duration string");
    }
}

package io.github.lokiappender.testsupport;

import java.util.List;

/** The metric queries the stand-in evaluates: {@code [sum [by (..)]] (count_over_time(selector [range]))}. */
final class MetricQuery {
    final LabelSelector selector;
    final long rangeNanos;
    final boolean sum;
    /** Grouping labels for {@code sum by (...)}; empty for a plain sum. */
    final List<String> by;

    MetricQuery(LabelSelector selector, long rangeNanos, boolean sum, List<String> by) {
        this.selector = selector;
        this.rangeNanos = rangeNanos;
        this.sum = sum;
        this.by = by;
    }
}

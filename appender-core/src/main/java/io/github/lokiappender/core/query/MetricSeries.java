package io.github.lokiappender.core.query;

import java.util.List;
import java.util.Map;

/** One series of a metric result: its labels and its samples (one for a vector, many for a matrix). */
public final class MetricSeries {

    private final Map<String, String> metric;
    private final List<Sample> samples;

    MetricSeries(Map<String, String> metric, List<Sample> samples) {
        this.metric = metric;
        this.samples = samples;
    }

    /** The series' labels, sorted by name; empty for an aggregation without {@code by}. */
    public Map<String, String> metric() {
        return metric;
    }

    /** In time order. */
    public List<Sample> samples() {
        return samples;
    }

    /** The only sample of a vector series (or the last of a matrix series). */
    public Sample sample() {
        return samples.get(samples.size() - 1);
    }

    @Override
    public String toString() {
        return "MetricSeries[" + metric + " " + samples + "]";
    }
}

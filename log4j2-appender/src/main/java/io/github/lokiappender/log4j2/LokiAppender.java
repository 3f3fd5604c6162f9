package io.github.lokiappender.log4j2;

import io.github.lokiappender.core.LokiConfig;
import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.StatusReporter;
import io.github.lokiappender.core.http.InternalThreads;
import io.github.lokiappender.core.stats.StatsSnapshot;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Core;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginBuilderAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginBuilderFactory;
import org.apache.logging.log4j.core.config.plugins.PluginElement;
import org.apache.logging.log4j.core.impl.LocationAware;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.core.pattern.PatternParser;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Log4j2 appender that ships events to Grafana Loki.
 *
 * <pre>{@code
 * <Loki name="LOKI" url="http://localhost:3100">
 *   <PatternLayout pattern="%m%n%ex"/>
 *   <Label name="app" value="shop"/>
 *   <Label name="level" pattern="%level"/>
 *   <StructuredMetadata name="trace_id" pattern="%X{trace_id}"/>
 * </Loki>
 * }</pre>
 *
 * <p>Logging threads only format the line and labels and hand the event to a bounded buffer; a
 * background thread ({@code loki-shipper-<name>-1}) batches and pushes. Stopping the appender
 * (reconfiguration, {@code LogManager.shutdown()}, Log4j2's shutdown hook) delivers what is buffered
 * within {@code shutdownTimeoutMs} and reports through the {@code StatusLogger} how many events
 * were delivered and how many were lost.
 *
 * <p>A misconfigured appender is not created: the builder reports every problem, each naming its
 * attribute, as one {@code StatusLogger} error and returns null, as Log4j2's own appenders do;
 * the application starts without it.
 */
@Plugin(name = LokiAppender.PLUGIN_NAME, category = Core.CATEGORY_NAME, elementType = Appender.ELEMENT_TYPE,
        printObject = true)
public final class LokiAppender extends AbstractAppender implements LocationAware {

    public static final String PLUGIN_NAME = "Loki";

    /**
     * The line when no layout is given, the same as the Logback appender's default: the message and
     * any exception. Level, logger and thread belong in labels or structured metadata.
     */
    public static final String DEFAULT_PATTERN = "%m%n%ex";

    private final LokiConfig config;
    private final LineRenderer lineRenderer;
    private final List<FieldSpec> labels;
    private final List<FieldSpec> metadata;
    private final StatusReporter status;
    private final boolean requiresLocation;
    private volatile Running running;
    /** The pipeline last started; kept after stop so that its final counters stay readable. */
    private volatile LokiPipeline pipeline;

    private LokiAppender(String name, Filter filter, Layout<? extends Serializable> layout, boolean ignoreExceptions,
                         Property[] properties, LokiConfig config, List<FieldSpec> labels, List<FieldSpec> metadata) {
        super(name, filter, layout, ignoreExceptions, properties);
        this.config = config;
        this.lineRenderer = new LineRenderer(layout);
        this.labels = labels;
        this.metadata = metadata;
        this.status = new StatusLoggerReporter(name);
        boolean location = lineRenderer.requiresLocation();
        for (FieldSpec f : labels) {
            location |= f.requiresLocation();
        }
        for (FieldSpec f : metadata) {
            location |= f.requiresLocation();
        }
        this.requiresLocation = location;
    }

    @PluginBuilderFactory
    public static <B extends Builder<B>> B newBuilder() {
        return new Builder<B>().asBuilder();
    }

    /** The validated settings. */
    public LokiConfig config() {
        return config;
    }

    /**
     * Current counters (offered, delivered, dropped by reason, ...); after stop, the final ones;
     * null before the appender was started.
     */
    public StatsSnapshot stats() {
        LokiPipeline p = pipeline;
        return p == null ? null : p.stats();
    }

    /**
     * Sends what is buffered now and waits until it is delivered or dropped, at most
     * {@code timeout}. Returns true if everything logged before the call was handled in time.
     */
    public boolean flush(Duration timeout) {
        Running r = running;
        return r == null || r.pipeline.flush(timeout);
    }

    @Override
    public boolean requiresLocation() {
        return requiresLocation;
    }

    @Override
    public void start() {
        if (running == null) {
            try {
                LokiPipeline p = LokiPipeline.start(config, status, LabelResolver.overflowLabels(labels));
                pipeline = p;
                running = new Running(p, new EventConverter(lineRenderer, labels, metadata, p.labelSets(), p::offer));
                LOGGER.debug("Loki appender '{}' started: {}, labels {}, structured metadata {}",
                        getName(), config, labels, metadata);
            } catch (RuntimeException e) {
                // never take the application down: stay started, but inactive
                LOGGER.error("Loki appender '{}' could not start; its events are discarded: {}", getName(), e, e);
            }
        }
        super.start();
    }

    @Override
    public void append(LogEvent event) {
        Running r = running;
        if (r == null) {
            return;
        }
        // the library's own threads and the HTTP client's loggers never feed the appender (no recursion)
        if (InternalThreads.isInternal() || InternalThreads.isInternalLogger(event.getLoggerName())) {
            return;
        }
        try {
            r.converter.offer(event);
        } catch (RuntimeException e) {
            // a failing layout or converter: reported (rate-limited by Log4j2's error handler), never thrown
            error("Loki appender '" + getName() + "' could not format an event: " + e, event, e);
        }
    }

    @Override
    public boolean stop(long timeout, TimeUnit timeUnit) {
        setStopping();
        boolean stopped = super.stop(timeout, timeUnit, false);
        Running r = running;
        running = null;
        boolean complete = true;
        if (r != null) {
            // shutdownTimeoutMs governs, as AsyncAppender's shutdownTimeout does: the timeout Log4j2 passes
            // is 0 on reconfiguration and a fixed 50 ms from LogManager.shutdown(), not a user's choice
            StatsSnapshot s = r.pipeline.close(Duration.ofMillis(config.shutdownTimeoutMs()));
            long lost = s.droppedTotal() + s.pending();
            if (lost > 0) {
                LOGGER.error("Loki appender '{}' stopped: {} of {} events were not delivered to Loki {} (delivered {})",
                        getName(), lost, s.offered(), s.droppedByReason(), s.delivered());
                complete = false;
            }
        }
        setStopped();
        return stopped && complete;
    }

    @Override
    public String toString() {
        return "LokiAppender{name=" + getName() + ", state=" + getState() + ", " + config + '}';
    }

    /** The pipeline and converter of a started appender, swapped as one. */
    private static final class Running {
        final LokiPipeline pipeline;
        final EventConverter converter;

        Running(LokiPipeline pipeline, EventConverter converter) {
            this.pipeline = pipeline;
            this.converter = converter;
        }
    }

    /**
     * Builds a {@link LokiAppender}; attribute names are the option names shared with the Logback
     * appender. All options are read as text and checked in {@link #build()}, which reports bad
     * values naming the attribute.
     */
    public static class Builder<B extends Builder<B>> extends AbstractAppender.Builder<B>
            implements org.apache.logging.log4j.core.util.Builder<LokiAppender> {

        @PluginBuilderAttribute
        private String url;
        @PluginBuilderAttribute
        private String tenantId;
        @PluginBuilderAttribute
        private String username;
        @PluginBuilderAttribute(sensitive = true)
        private String password;
        @PluginBuilderAttribute(sensitive = true)
        private String bearerToken;
        @PluginBuilderAttribute
        private String format;
        @PluginBuilderAttribute
        private String compression;
        @PluginBuilderAttribute
        private String compressionLevel;
        @PluginBuilderAttribute
        private String backlogCompressionLevel;
        @PluginBuilderAttribute
        private String batchMaxBytes;
        @PluginBuilderAttribute
        private String batchMaxEvents;
        @PluginBuilderAttribute
        private String flushIntervalMs;
        @PluginBuilderAttribute
        private String bufferMaxBytes;
        @PluginBuilderAttribute
        private String bufferMaxEvents;
        @PluginBuilderAttribute
        private String overflowPolicy;
        @PluginBuilderAttribute
        private String blockTimeoutMs;
        @PluginBuilderAttribute
        private String maxRetries;
        @PluginBuilderAttribute
        private String retryMinBackoffMs;
        @PluginBuilderAttribute
        private String retryMaxBackoffMs;
        @PluginBuilderAttribute
        private String connectTimeoutMs;
        @PluginBuilderAttribute
        private String requestTimeoutMs;
        @PluginBuilderAttribute
        private String shutdownTimeoutMs;
        @PluginBuilderAttribute
        private String caCertificatePath;
        @PluginBuilderAttribute
        private String insecureSkipTlsVerify;
        @PluginBuilderAttribute
        private String maxLineBytes;
        @PluginBuilderAttribute
        private String maxStreams;
        @PluginBuilderAttribute
        private String micrometer;
        @PluginBuilderAttribute
        private String jmx;
        @PluginBuilderAttribute
        private String spoolDirectory;
        @PluginBuilderAttribute
        private String spoolMaxBytes;
        @PluginBuilderAttribute
        private String httpTransport;
        @PluginElement("Label")
        private Label[] labels;
        @PluginElement("StructuredMetadata")
        private StructuredMetadata[] structuredMetadata;

        public B setUrl(String url) {
            this.url = url;
            return asBuilder();
        }

        public B setTenantId(String tenantId) {
            this.tenantId = tenantId;
            return asBuilder();
        }

        public B setUsername(String username) {
            this.username = username;
            return asBuilder();
        }

        public B setPassword(String password) {
            this.password = password;
            return asBuilder();
        }

        public B setBearerToken(String bearerToken) {
            this.bearerToken = bearerToken;
            return asBuilder();
        }

        /** {@code json} (default) or {@code protobuf}. */
        public B setFormat(String format) {
            this.format = format;
            return asBuilder();
        }

        /** {@code none} (default) or {@code gzip}. */
        public B setCompression(String compression) {
            this.compression = compression;
            return asBuilder();
        }

        /** gzip level, 1 (fastest, default) to 9 (smallest). */
        public B setCompressionLevel(int v) {
            this.compressionLevel = Integer.toString(v);
            return asBuilder();
        }

        /** gzip level while more than four batches (or half of the buffer) wait: 0 (stored, default) to 9. */
        public B setBacklogCompressionLevel(int v) {
            this.backlogCompressionLevel = Integer.toString(v);
            return asBuilder();
        }

        public B setBatchMaxBytes(long v) {
            this.batchMaxBytes = Long.toString(v);
            return asBuilder();
        }

        public B setBatchMaxEvents(int v) {
            this.batchMaxEvents = Integer.toString(v);
            return asBuilder();
        }

        public B setFlushIntervalMs(long v) {
            this.flushIntervalMs = Long.toString(v);
            return asBuilder();
        }

        public B setBufferMaxBytes(long v) {
            this.bufferMaxBytes = Long.toString(v);
            return asBuilder();
        }

        public B setBufferMaxEvents(int v) {
            this.bufferMaxEvents = Integer.toString(v);
            return asBuilder();
        }

        /** {@code DROP_NEWEST} (default), {@code DROP_OLDEST} or {@code BLOCK}. */
        public B setOverflowPolicy(String v) {
            this.overflowPolicy = v;
            return asBuilder();
        }

        public B setBlockTimeoutMs(long v) {
            this.blockTimeoutMs = Long.toString(v);
            return asBuilder();
        }

        public B setMaxRetries(int v) {
            this.maxRetries = Integer.toString(v);
            return asBuilder();
        }

        public B setRetryMinBackoffMs(long v) {
            this.retryMinBackoffMs = Long.toString(v);
            return asBuilder();
        }

        public B setRetryMaxBackoffMs(long v) {
            this.retryMaxBackoffMs = Long.toString(v);
            return asBuilder();
        }

        public B setConnectTimeoutMs(long v) {
            this.connectTimeoutMs = Long.toString(v);
            return asBuilder();
        }

        public B setRequestTimeoutMs(long v) {
            this.requestTimeoutMs = Long.toString(v);
            return asBuilder();
        }

        public B setShutdownTimeoutMs(long v) {
            this.shutdownTimeoutMs = Long.toString(v);
            return asBuilder();
        }

        public B setCaCertificatePath(String path) {
            this.caCertificatePath = path;
            return asBuilder();
        }

        public B setInsecureSkipTlsVerify(boolean v) {
            this.insecureSkipTlsVerify = Boolean.toString(v);
            return asBuilder();
        }

        public B setMaxLineBytes(int v) {
            this.maxLineBytes = Integer.toString(v);
            return asBuilder();
        }

        public B setMaxStreams(int v) {
            this.maxStreams = Integer.toString(v);
            return asBuilder();
        }

        /**
         * Register the counters as Micrometer meters ({@code loki.appender.*}, tagged
         * {@code appender=<name>}) in Micrometer's global registry when Micrometer is on the class
         * path; default true.
         */
        public B setMicrometer(boolean v) {
            this.micrometer = Boolean.toString(v);
            return asBuilder();
        }

        /** Register the counters as a JMX MBean {@code io.github.lokiappender:type=LokiAppender,name=<name>}; default true. */
        public B setJmx(boolean v) {
            this.jmx = Boolean.toString(v);
            return asBuilder();
        }

        /** Directory of the on-disk spool; default none (memory only). */
        public B setSpoolDirectory(String dir) {
            this.spoolDirectory = dir;
            return asBuilder();
        }

        /** Disk the spool may use; default 268435456 (256 MiB). */
        public B setSpoolMaxBytes(long v) {
            this.spoolMaxBytes = Long.toString(v);
            return asBuilder();
        }

        /** {@code builtin} (default: this library's HTTP/1.1 client; the JDK's where a proxy applies) or {@code jdk}. */
        public B setHttpTransport(String v) {
            this.httpTransport = v;
            return asBuilder();
        }

        public B setLabels(Label... labels) {
            this.labels = labels;
            return asBuilder();
        }

        public B setStructuredMetadata(StructuredMetadata... entries) {
            this.structuredMetadata = entries;
            return asBuilder();
        }

        /**
         * @return the appender, or null after reporting every problem through the StatusLogger as
         * one error naming each attribute
         */
        @Override
        public LokiAppender build() {
            String name = getName();
            String shown = name == null ? "" : name;
            List<String> problems = new ArrayList<>();
            if (OptionParser.isAbsent(name)) {
                problems.add("'name' is required");
            }
            LokiConfig config = config(shown, problems);
            PatternParser parser = PatternLayout.createPatternParser(getConfiguration());
            List<FieldSpec> labelSpecs = FieldSpecs.labels(shown, labels, parser, problems);
            List<FieldSpec> metadataSpecs = FieldSpecs.metadata(shown, structuredMetadata, parser, problems);
            if (!problems.isEmpty() || config == null) {
                LOGGER.error("Loki appender '{}' was not created: {}", shown, String.join("; ", problems));
                return null;
            }
            if (labelSpecs.isEmpty()) {
                LOGGER.warn("Loki appender '{}' has no <Label>; events are sent with {}", shown,
                        LabelResolver.NO_LABELS_FALLBACK.render());
            }
            Layout<? extends Serializable> layout = getLayout();
            if (layout == null) {
                layout = PatternLayout.newBuilder().withConfiguration(getConfiguration())
                        .withPattern(DEFAULT_PATTERN).build();
            }
            return new LokiAppender(name, getFilter(), layout, isIgnoreExceptions(), getPropertyArray(), config,
                    Collections.unmodifiableList(labelSpecs), Collections.unmodifiableList(metadataSpecs));
        }

        private LokiConfig config(String name, List<String> problems) {
            OptionParser p = new OptionParser(problems);
            LokiConfig.Builder b = LokiConfig.builder().name(name).url(url);
            b.http().tenantId(tenantId).username(username).password(password).bearerToken(bearerToken)
                    .caCertificatePath(caCertificatePath);
            if (format != null) {
                b.format(format.trim());
            }
            if (compression != null) {
                b.compression(compression.trim());
            }
            if (overflowPolicy != null) {
                b.overflowPolicy(overflowPolicy.trim());
            }
            if (httpTransport != null) {
                b.httpTransport(httpTransport.trim());
            }
            Long l;
            Integer i;
            Boolean bool;
            if ((l = p.longValue("batchMaxBytes", batchMaxBytes)) != null) {
                b.batchMaxBytes(l);
            }
            if ((i = p.intValue("compressionLevel", compressionLevel)) != null) {
                b.compressionLevel(i);
            }
            if ((i = p.intValue("backlogCompressionLevel", backlogCompressionLevel)) != null) {
                b.backlogCompressionLevel(i);
            }
            if ((i = p.intValue("batchMaxEvents", batchMaxEvents)) != null) {
                b.batchMaxEvents(i);
            }
            if ((l = p.longValue("flushIntervalMs", flushIntervalMs)) != null) {
                b.flushIntervalMs(l);
            }
            if ((l = p.longValue("bufferMaxBytes", bufferMaxBytes)) != null) {
                b.bufferMaxBytes(l);
            }
            if ((i = p.intValue("bufferMaxEvents", bufferMaxEvents)) != null) {
                b.bufferMaxEvents(i);
            }
            if ((l = p.longValue("blockTimeoutMs", blockTimeoutMs)) != null) {
                b.blockTimeoutMs(l);
            }
            if ((i = p.intValue("maxRetries", maxRetries)) != null) {
                b.maxRetries(i);
            }
            if ((l = p.longValue("retryMinBackoffMs", retryMinBackoffMs)) != null) {
                b.retryMinBackoffMs(l);
            }
            if ((l = p.longValue("retryMaxBackoffMs", retryMaxBackoffMs)) != null) {
                b.retryMaxBackoffMs(l);
            }
            if ((l = p.longValue("connectTimeoutMs", connectTimeoutMs)) != null) {
                b.http().connectTimeoutMs(l);
            }
            if ((l = p.longValue("requestTimeoutMs", requestTimeoutMs)) != null) {
                b.http().requestTimeoutMs(l);
            }
            if ((l = p.longValue("shutdownTimeoutMs", shutdownTimeoutMs)) != null) {
                b.shutdownTimeoutMs(l);
            }
            if ((bool = p.booleanValue("insecureSkipTlsVerify", insecureSkipTlsVerify)) != null) {
                b.http().insecureSkipTlsVerify(bool);
            }
            if ((i = p.intValue("maxLineBytes", maxLineBytes)) != null) {
                b.maxLineBytes(i);
            }
            if ((i = p.intValue("maxStreams", maxStreams)) != null) {
                b.maxStreams(i);
            }
            if ((bool = p.booleanValue("micrometer", micrometer)) != null) {
                b.micrometer(bool);
            }
            if ((bool = p.booleanValue("jmx", jmx)) != null) {
                b.jmx(bool);
            }
            if (!OptionParser.isAbsent(spoolDirectory)) {
                b.spoolDirectory(spoolDirectory.trim());
            }
            if ((l = p.longValue("spoolMaxBytes", spoolMaxBytes)) != null) {
                b.spoolMaxBytes(l);
            }
            LokiConfig config = null;
            try {
                config = b.build();
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
            return config;
        }
    }
}

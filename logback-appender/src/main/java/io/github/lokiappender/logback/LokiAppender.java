package io.github.lokiappender.logback;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.LifeCycle;
import io.github.lokiappender.core.LokiConfig;
import io.github.lokiappender.core.LokiPipeline;
import io.github.lokiappender.core.http.InternalThreads;
import io.github.lokiappender.core.labels.LabelSet;
import io.github.lokiappender.core.labels.LabelSpec;
import io.github.lokiappender.core.stats.StatsSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Logback appender that ships events to Grafana Loki.
 *
 * <pre>{@code
 * <appender name="LOKI" class="io.github.lokiappender.logback.LokiAppender">
 *   <url>http://localhost:3100</url>
 *   <labels>app=shop, env=${ENV:-dev}, level=%level</labels>
 *   <structuredMetadata>trace_id=%mdc{trace_id}</structuredMetadata>
 * </appender>
 * }</pre>
 *
 * <p>Every option is a nested element of the same name. Labels and structured metadata are
 * {@code name=pattern} lists whose values are Logback patterns ({@code %kvp{key}} selects one SLF4J
 * key-value pair); entries without {@code %} are evaluated once. The line comes from
 * {@code layout} or {@code encoder}, by default {@code %msg%n%ex}, without its trailing line break.
 *
 * <p>The logging thread only formats the event and hands it to a bounded buffer; a background
 * thread batches and sends. A misconfigured appender reports one status error naming the option
 * and stays inactive. {@link #stop()} delivers what is buffered within {@code shutdownTimeoutMs}
 * and reports how many events were delivered and lost. Events logged on the appender's own
 * threads, or by the JDK HTTP client and this library, are ignored (no recursion).
 */
public class LokiAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    /** The line pattern used when neither {@code layout} nor {@code encoder} is set. */
    public static final String DEFAULT_PATTERN = "%msg%n%ex";
    /** Label added to the static labels to mark events sent past the {@code maxStreams} cap. */
    public static final String OVERFLOW_LABEL = "loki_appender_overflow";

    /** Loki's default {@code max_label_names_per_series}. */
    private static final int MAX_LABELS = 15;

    private final Object lifecycleLock = new Object();

    // Options; null means "the core's default".
    private String url;
    private String tenantId;
    private String username;
    private String password;
    private String bearerToken;
    private String headers;
    private String format;
    private String compression;
    private Integer compressionLevel;
    private Integer backlogCompressionLevel;
    private Long batchMaxBytes;
    private Integer batchMaxEvents;
    private Long flushIntervalMs;
    private Long bufferMaxBytes;
    private Integer bufferMaxEvents;
    private String overflowPolicy;
    private Long blockTimeoutMs;
    private Integer maxRetries;
    private Long retryMinBackoffMs;
    private Long retryMaxBackoffMs;
    private Long connectTimeoutMs;
    private Long requestTimeoutMs;
    private Long shutdownTimeoutMs;
    private String caCertificatePath;
    private Boolean insecureSkipTlsVerify;
    private Integer maxLineBytes;
    private Integer maxStreams;
    private Boolean micrometer;
    private Boolean jmx;
    private String spoolDirectory;
    private Long spoolMaxBytes;
    private String httpTransport;
    private String labels;
    private String structuredMetadata;
    private Layout<ILoggingEvent> layout;
    private Encoder<ILoggingEvent> encoder;

    /** Everything a running appender uses; replaced as a whole on start, cleared on stop. */
    private volatile Active active;
    private volatile StatsSnapshot lastStats;

    private static final class Active {
        final LokiPipeline pipeline;
        final LineFormatter line;
        final LabelResolver labels;
        final MetadataResolver metadata;
        final LifeCycle ownedLayout;

        Active(LokiPipeline pipeline, LineFormatter line, LabelResolver labels, MetadataResolver metadata,
               LifeCycle ownedLayout) {
            this.pipeline = pipeline;
            this.line = line;
            this.labels = labels;
            this.metadata = metadata;
            this.ownedLayout = ownedLayout;
        }
    }

    // ---- the logging thread -------------------------------------------------------------------

    @Override
    protected void append(ILoggingEvent event) {
        Active a = active;
        if (a == null || InternalThreads.isInternal() || InternalThreads.isInternalLogger(event.getLoggerName())) {
            return; // what the appender's own machinery logs must not come back into it
        }
        String line = a.line.format(event);
        LabelSet labelSet = a.labels.resolve(event);
        String[] metadata = a.metadata == null ? null : a.metadata.resolve(event);
        // the line is copied into the buffer as UTF-8 bytes: no event object per call
        a.pipeline.offer(epochNanos(event), line, labelSet, metadata);
    }

    /** Logback's event time with its full (nanosecond) precision. */
    static long epochNanos(ILoggingEvent event) {
        Instant t = event.getInstant();
        if (t == null) {
            return event.getTimeStamp() * 1_000_000L;
        }
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    @Override
    public void start() {
        synchronized (lifecycleLock) {
            if (isStarted()) {
                return;
            }
            String appenderName = getName() == null || getName().isBlank() ? "loki" : getName();
            List<String> problems = new ArrayList<>();
            LokiConfig config = buildConfig(appenderName, problems);
            List<LabelSpec> labelSpecs = LabelSpec.parseList(labels, "labels", problems, true);
            List<LabelSpec> metadataSpecs = LabelSpec.parseList(structuredMetadata, "structuredMetadata", problems, false);
            List<EventValue> labelValues = compile(labelSpecs, "labels", problems);
            List<EventValue> metadataValues = compile(metadataSpecs, "structuredMetadata", problems);
            PatternLayout ownedLayout = null;
            LineFormatter line;
            if (layout == null && encoder == null) {
                ownedLayout = new PatternLayout();
                ownedLayout.setContext(getContext());
                ownedLayout.setPattern(DEFAULT_PATTERN);
                ownedLayout.start();
                line = LineFormatter.defaultPattern(ownedLayout);
            } else {
                line = userLineFormatter(problems);
            }
            if (!problems.isEmpty()) {
                addError("Loki appender '" + appenderName + "' is not started: " + String.join("; ", problems));
                if (ownedLayout != null) {
                    ownedLayout.stop();
                }
                return;
            }
            warnAboutLabels(appenderName, labelSpecs);
            LokiPipeline pipeline;
            try {
                pipeline = LokiPipeline.start(config, new LogbackStatusReporter(this),
                        overflowLabels(labelSpecs, labelValues));
            } catch (RuntimeException e) {
                addError("Loki appender '" + appenderName + "' is not started: " + e.getMessage(), e);
                if (ownedLayout != null) {
                    ownedLayout.stop();
                }
                return;
            }
            LabelResolver labelResolver = LabelResolver.create(labelSpecs, labelValues, pipeline.labelSets(),
                    fallbackLabels());
            MetadataResolver metadataResolver = metadataSpecs.isEmpty() ? null
                    : MetadataResolver.create(metadataSpecs, metadataValues);
            lastStats = null;
            active = new Active(pipeline, line, labelResolver, metadataResolver, ownedLayout);
            super.start();
            addInfo("Loki appender '" + appenderName + "' started: pushing to " + config.http().baseUri() + " as "
                    + config.format().name().toLowerCase(Locale.ROOT) + ", labels " + labelSpecs
                    + (metadataSpecs.isEmpty() ? "" : ", structured metadata " + metadataSpecs));
        }
    }

    /**
     * Stops intake, delivers what is buffered within {@code shutdownTimeoutMs}, and reports how many
     * events were delivered and lost. The appender can be started again.
     */
    @Override
    public void stop() {
        synchronized (lifecycleLock) {
            Active a = active;
            super.stop();
            if (a == null) {
                return;
            }
            active = null;
            StatsSnapshot s = a.pipeline.close(Duration.ofMillis(a.pipeline.config().shutdownTimeoutMs()));
            lastStats = s;
            if (a.ownedLayout != null) {
                a.ownedLayout.stop();
            }
            if (s.droppedTotal() > 0) {
                addWarn("Loki appender '" + a.pipeline.config().name() + "' lost " + s.droppedTotal() + " of "
                        + s.offered() + " events " + s.droppedByReason());
            }
        }
    }

    /**
     * Sends what is buffered now and waits until it is delivered or dropped, at most
     * {@code timeoutMs}. Returns false if the appender is not started or time ran out.
     */
    public boolean flush(long timeoutMs) {
        Active a = active;
        return a != null && a.pipeline.flush(Duration.ofMillis(timeoutMs));
    }

    /**
     * The appender's counters: live while started, final after {@link #stop()}; null if it was
     * never started.
     */
    public StatsSnapshot getStats() {
        Active a = active;
        return a != null ? a.pipeline.stats() : lastStats;
    }

    /** The validated configuration in use, or null when not started. */
    LokiConfig config() {
        Active a = active;
        return a == null ? null : a.pipeline.config();
    }

    /** The label resolver in use, or null when not started. */
    LabelResolver labelResolver() {
        Active a = active;
        return a == null ? null : a.labels;
    }

    private LokiConfig buildConfig(String appenderName, List<String> problems) {
        LokiConfig.Builder b = LokiConfig.builder().name(appenderName);
        b.http().url(url).tenantId(tenantId).username(username).password(password).bearerToken(bearerToken)
                .caCertificatePath(caCertificatePath);
        for (LabelSpec h : LabelSpec.parseList(headers, "headers", problems, false)) {
            b.http().header(h.originalName(), h.pattern());
        }
        if (insecureSkipTlsVerify != null) {
            b.http().insecureSkipTlsVerify(insecureSkipTlsVerify);
        }
        if (connectTimeoutMs != null) {
            b.http().connectTimeoutMs(connectTimeoutMs);
        }
        if (requestTimeoutMs != null) {
            b.http().requestTimeoutMs(requestTimeoutMs);
        }
        if (format != null) {
            b.format(format.trim());
        }
        if (compression != null) {
            b.compression(compression.trim());
        }
        if (compressionLevel != null) {
            b.compressionLevel(compressionLevel);
        }
        if (backlogCompressionLevel != null) {
            b.backlogCompressionLevel(backlogCompressionLevel);
        }
        if (batchMaxBytes != null) {
            b.batchMaxBytes(batchMaxBytes);
        }
        if (batchMaxEvents != null) {
            b.batchMaxEvents(batchMaxEvents);
        }
        if (flushIntervalMs != null) {
            b.flushIntervalMs(flushIntervalMs);
        }
        if (bufferMaxBytes != null) {
            b.bufferMaxBytes(bufferMaxBytes);
        }
        if (bufferMaxEvents != null) {
            b.bufferMaxEvents(bufferMaxEvents);
        }
        if (overflowPolicy != null) {
            b.overflowPolicy(overflowPolicy.trim());
        }
        if (blockTimeoutMs != null) {
            b.blockTimeoutMs(blockTimeoutMs);
        }
        if (maxRetries != null) {
            b.maxRetries(maxRetries);
        }
        if (retryMinBackoffMs != null) {
            b.retryMinBackoffMs(retryMinBackoffMs);
        }
        if (retryMaxBackoffMs != null) {
            b.retryMaxBackoffMs(retryMaxBackoffMs);
        }
        if (shutdownTimeoutMs != null) {
            b.shutdownTimeoutMs(shutdownTimeoutMs);
        }
        if (maxLineBytes != null) {
            b.maxLineBytes(maxLineBytes);
        }
        if (maxStreams != null) {
            b.maxStreams(maxStreams);
        }
        if (micrometer != null) {
            b.micrometer(micrometer);
        }
        if (jmx != null) {
            b.jmx(jmx);
        }
        if (spoolDirectory != null) {
            b.spoolDirectory(spoolDirectory.trim());
        }
        if (spoolMaxBytes != null) {
            b.spoolMaxBytes(spoolMaxBytes);
        }
        if (httpTransport != null) {
            b.httpTransport(httpTransport.trim());
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    /** Compiles each entry's pattern; null in the result marks a static entry. */
    private List<EventValue> compile(List<LabelSpec> specs, String option, List<String> problems) {
        List<EventValue> out = new ArrayList<>(specs.size());
        for (LabelSpec s : specs) {
            if (EventValue.isStatic(s.pattern())) {
                out.add(null);
                continue;
            }
            EventValue v = EventValue.compile(s.pattern(), getContext());
            if (v == null) {
                problems.add("'" + option + "' entry '" + s.originalName() + "' has an invalid pattern '"
                        + s.pattern() + "'");
            }
            out.add(v);
        }
        return out;
    }

    private LineFormatter userLineFormatter(List<String> problems) {
        if (layout != null && encoder != null) {
            addWarn("both 'layout' and 'encoder' are set; the layout is used");
        }
        LifeCycle component = layout != null ? layout : encoder;
        if (!component.isStarted()) {
            if (layout != null && layout.getContext() == null) {
                layout.setContext(getContext());
            } else if (layout == null && encoder.getContext() == null) {
                encoder.setContext(getContext());
            }
            component.start();
            if (!component.isStarted()) {
                problems.add("'" + (layout != null ? "layout" : "encoder") + "' could not be started");
            }
        }
        return layout != null ? LineFormatter.of(layout) : LineFormatter.of(encoder);
    }

    /** One warning for all label names that had to change (Loki would reject them), one for too many labels. */
    private void warnAboutLabels(String appenderName, List<LabelSpec> specs) {
        List<String> changed = new ArrayList<>();
        for (LabelSpec s : specs) {
            if (s.wasSanitized()) {
                changed.add("'" + s.originalName() + "' -> '" + s.name() + "'");
            }
        }
        if (!changed.isEmpty()) {
            addWarn("Loki appender '" + appenderName + "': label names Loki would reject were changed: "
                    + String.join(", ", changed));
        }
        if (specs.isEmpty()) {
            addInfo("Loki appender '" + appenderName + "': no 'labels' configured; events are sent with the label "
                    + "service_name=<context name> (unknown_service when the context is not named)");
        } else if (specs.size() > MAX_LABELS) {
            addWarn("Loki appender '" + appenderName + "': " + specs.size() + " labels configured; Loki accepts at most "
                    + MAX_LABELS + " per stream by default and rejects streams with more");
        }
    }

    /** The static labels plus a marker, for events past the stream cap. */
    private static LabelSet overflowLabels(List<LabelSpec> specs, List<EventValue> values) {
        List<String> names = new ArrayList<>();
        List<String> vals = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            if (values.get(i) == null && !specs.get(i).name().equals(OVERFLOW_LABEL)) {
                names.add(specs.get(i).name());
                vals.add(specs.get(i).pattern());
            }
        }
        names.add(OVERFLOW_LABEL);
        vals.add("stream_limit");
        return LabelSet.of(names.toArray(new String[0]), vals.toArray(new String[0]));
    }

    /**
     * Loki rejects a stream without labels: such events are sent as {@code service_name=<context
     * name>} when the context was named ({@code <contextName>}), else as Loki's own
     * {@code unknown_service}, as the Log4j2 appender does (Logback's unnamed context is "default").
     */
    private LabelSet fallbackLabels() {
        String contextName = getContext() != null ? getContext().getName() : null;
        boolean named = contextName != null && !contextName.isBlank()
                && !ch.qos.logback.core.CoreConstants.DEFAULT_CONTEXT_NAME.equals(contextName);
        return LabelSet.of(new String[]{"service_name"}, new String[]{named ? contextName : "unknown_service"});
    }

    // ---- options (nested elements of the same name) ---------------------------------------------

    /** Loki base URL, e.g. {@code http://localhost:3100}; the push path is appended. Required. */
    public void setUrl(String url) {
        this.url = url;
    }

    public String getUrl() {
        return url;
    }

    /** Sent as {@code X-Scope-OrgID}. */
    public void setTenantId(String tenantId) {
        this.tenantId = tenantId;
    }

    /** HTTP basic auth user (Grafana Cloud: the numeric user id). */
    public void setUsername(String username) {
        this.username = username;
    }

    /** HTTP basic auth password or API token. */
    public void setPassword(String password) {
        this.password = password;
    }

    /** Sent as {@code Authorization: Bearer <token>}. */
    public void setBearerToken(String bearerToken) {
        this.bearerToken = bearerToken;
    }

    /** Extra HTTP headers as a {@code Name=value} list (commas or line breaks between entries). */
    public void setHeaders(String headers) {
        this.headers = headers;
    }

    /** {@code json} (default) or {@code protobuf}. */
    public void setFormat(String format) {
        this.format = format;
    }

    /** {@code none} (default) or {@code gzip} (JSON only). */
    public void setCompression(String compression) {
        this.compression = compression;
    }

    /** gzip level, 1 (fastest, default) to 9 (smallest). */
    public void setCompressionLevel(int compressionLevel) {
        this.compressionLevel = compressionLevel;
    }

    /** gzip level while more than four batches (or half of the buffer) wait: 0 (stored, default) to 9. */
    public void setBacklogCompressionLevel(int backlogCompressionLevel) {
        this.backlogCompressionLevel = backlogCompressionLevel;
    }

    /** Largest request in bytes; default 1 MiB. */
    public void setBatchMaxBytes(long batchMaxBytes) {
        this.batchMaxBytes = batchMaxBytes;
    }

    /** Most events per request; default 10000. */
    public void setBatchMaxEvents(int batchMaxEvents) {
        this.batchMaxEvents = batchMaxEvents;
    }

    /** Longest time an event waits before its batch is sent; default 1000 ms. */
    public void setFlushIntervalMs(long flushIntervalMs) {
        this.flushIntervalMs = flushIntervalMs;
    }

    /** Memory the buffer may hold; default 32 MiB. */
    public void setBufferMaxBytes(long bufferMaxBytes) {
        this.bufferMaxBytes = bufferMaxBytes;
    }

    /** Events the buffer may hold; default 1,000,000. */
    public void setBufferMaxEvents(int bufferMaxEvents) {
        this.bufferMaxEvents = bufferMaxEvents;
    }

    /** {@code DROP_NEWEST} (default), {@code DROP_OLDEST} or {@code BLOCK}. */
    public void setOverflowPolicy(String overflowPolicy) {
        this.overflowPolicy = overflowPolicy;
    }

    /** Longest wait for room under {@code BLOCK}; default 0. */
    public void setBlockTimeoutMs(long blockTimeoutMs) {
        this.blockTimeoutMs = blockTimeoutMs;
    }

    /** Default 10. */
    public void setMaxRetries(int maxRetries) {
        this.maxRetries = maxRetries;
    }

    /** Default 500 ms. */
    public void setRetryMinBackoffMs(long retryMinBackoffMs) {
        this.retryMinBackoffMs = retryMinBackoffMs;
    }

    /** Default 30000 ms. */
    public void setRetryMaxBackoffMs(long retryMaxBackoffMs) {
        this.retryMaxBackoffMs = retryMaxBackoffMs;
    }

    /** Default 5000 ms. */
    public void setConnectTimeoutMs(long connectTimeoutMs) {
        this.connectTimeoutMs = connectTimeoutMs;
    }

    /** Default 15000 ms. */
    public void setRequestTimeoutMs(long requestTimeoutMs) {
        this.requestTimeoutMs = requestTimeoutMs;
    }

    /** How long {@link #stop()} may take to deliver what is buffered; default 10000 ms. */
    public void setShutdownTimeoutMs(long shutdownTimeoutMs) {
        this.shutdownTimeoutMs = shutdownTimeoutMs;
    }

    /** A PEM file of CA certificates to trust instead of the JVM's trust store. */
    public void setCaCertificatePath(String caCertificatePath) {
        this.caCertificatePath = caCertificatePath;
    }

    /** Trust any certificate and host name (tests only); default false. */
    public void setInsecureSkipTlsVerify(boolean insecureSkipTlsVerify) {
        this.insecureSkipTlsVerify = insecureSkipTlsVerify;
    }

    /** Lines longer than this many UTF-8 bytes are cut; default 262144 (Loki's limit), 0 = never. */
    public void setMaxLineBytes(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    /** Cap on distinct label sets (streams); default 1000. */
    public void setMaxStreams(int maxStreams) {
        this.maxStreams = maxStreams;
    }

    /**
     * Register the counters as Micrometer meters ({@code loki.appender.*}, tagged
     * {@code appender=<name>}) in Micrometer's global registry when Micrometer is on the class path;
     * default true.
     */
    public void setMicrometer(boolean micrometer) {
        this.micrometer = micrometer;
    }

    /** Register the counters as a JMX MBean {@code io.github.lokiappender:type=LokiAppender,name=<name>}; default true. */
    public void setJmx(boolean jmx) {
        this.jmx = jmx;
    }

    /**
     * Directory of the on-disk spool that keeps what Loki cannot take (outage, restart) and sends
     * it in order later; default none (memory only). One appender per directory.
     */
    public void setSpoolDirectory(String spoolDirectory) {
        this.spoolDirectory = spoolDirectory;
    }

    /** Disk the spool may use; default 268435456 (256 MiB). */
    public void setSpoolMaxBytes(long spoolMaxBytes) {
        this.spoolMaxBytes = spoolMaxBytes;
    }

    /** {@code builtin} (default: this library's HTTP/1.1 client; the JDK's where a proxy applies) or {@code jdk}. */
    public void setHttpTransport(String httpTransport) {
        this.httpTransport = httpTransport;
    }

    /** {@code name=pattern} list of stream labels, e.g. {@code app=shop, level=%level}. */
    public void setLabels(String labels) {
        this.labels = labels;
    }

    public String getLabels() {
        return labels;
    }

    /** {@code name=pattern} list of structured metadata (Loki 2.9+), e.g. {@code trace_id=%mdc{trace_id}}. */
    public void setStructuredMetadata(String structuredMetadata) {
        this.structuredMetadata = structuredMetadata;
    }

    public String getStructuredMetadata() {
        return structuredMetadata;
    }

    /** The layout producing the line; default {@code %msg%n%ex}. */
    public void setLayout(Layout<ILoggingEvent> layout) {
        this.layout = layout;
    }

    public Layout<ILoggingEvent> getLayout() {
        return layout;
    }

    /** An encoder producing the line, as an alternative to {@code layout}. */
    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    public Encoder<ILoggingEvent> getEncoder() {
        return encoder;
    }
}

package io.github.lokiappender.core;

import io.github.lokiappender.core.buffer.OverflowPolicy;
import io.github.lokiappender.core.encode.Compression;
import io.github.lokiappender.core.encode.PushFormat;
import io.github.lokiappender.core.http.HttpSettings;
import io.github.lokiappender.core.labels.LabelSetRegistry;
import io.github.lokiappender.core.stats.MicrometerSupport;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything an appender is configured with, validated. Option names are the user-facing names of
 * both adapters (see the README); {@link Builder#build()} reports every problem at once, each
 * naming its option, so that an adapter can show one clear status error.
 */
public final class LokiConfig {

    /** Loki's default ingestion burst (6 MiB): a request charging more can never be accepted. */
    public static final long LOKI_INGESTION_BURST_BYTES = 6L * 1024 * 1024;
    /** gzip level unless configured: the fastest (see {@link Builder#compressionLevel}). */
    public static final int DEFAULT_COMPRESSION_LEVEL = io.github.lokiappender.core.encode.GzipJsonPushEncoder.DEFAULT_LEVEL;
    /** gzip level while the buffer is backlogged unless configured: stored (see {@link Builder#backlogCompressionLevel}). */
    public static final int DEFAULT_BACKLOG_COMPRESSION_LEVEL =
            io.github.lokiappender.core.encode.GzipJsonPushEncoder.DEFAULT_BACKLOG_LEVEL;
    /** Loki's default {@code max_line_size} (256 KiB). */
    public static final int LOKI_MAX_LINE_BYTES = 256 * 1024;
    /** Default {@code spoolMaxBytes} (256 MiB). */
    public static final long DEFAULT_SPOOL_MAX_BYTES = 256L * 1024 * 1024;

    private final HttpSettings http;
    private final PushFormat format;
    private final Compression compression;
    private final int compressionLevel;
    private final int backlogCompressionLevel;
    private final long batchMaxBytes;
    private final int batchMaxEvents;
    private final long flushIntervalMs;
    private final long bufferMaxBytes;
    private final int bufferMaxEvents;
    private final OverflowPolicy overflowPolicy;
    private final long blockTimeoutMs;
    private final int maxRetries;
    private final long retryMinBackoffMs;
    private final long retryMaxBackoffMs;
    private final long shutdownTimeoutMs;
    private final int maxLineBytes;
    private final int maxStreams;
    private final String name;
    private final boolean jmx;
    private final boolean micrometer;
    private final Object meterRegistry;
    private final Path spoolDirectory;
    private final long spoolMaxBytes;
    private final boolean jdkHttpClient;

    private LokiConfig(Builder b, HttpSettings http, PushFormat format, Compression compression, OverflowPolicy policy,
                       Path spool) {
        this.http = http;
        this.format = format;
        this.compression = compression;
        this.compressionLevel = b.compressionLevel;
        this.backlogCompressionLevel = b.backlogCompressionLevel;
        this.batchMaxBytes = b.batchMaxBytes;
        this.batchMaxEvents = b.batchMaxEvents;
        this.flushIntervalMs = b.flushIntervalMs;
        this.bufferMaxBytes = b.bufferMaxBytes;
        this.bufferMaxEvents = b.bufferMaxEvents;
        this.overflowPolicy = policy;
        this.blockTimeoutMs = b.blockTimeoutMs;
        this.maxRetries = b.maxRetries;
        this.retryMinBackoffMs = b.retryMinBackoffMs;
        this.retryMaxBackoffMs = b.retryMaxBackoffMs;
        this.shutdownTimeoutMs = b.shutdownTimeoutMs;
        this.maxLineBytes = b.maxLineBytes;
        this.maxStreams = b.maxStreams;
        this.name = b.name;
        this.jmx = b.jmx;
        this.micrometer = b.micrometer;
        this.meterRegistry = b.meterRegistry;
        this.spoolDirectory = spool;
        this.spoolMaxBytes = b.spoolMaxBytes;
        this.jdkHttpClient = "jdk".equalsIgnoreCase(b.httpTransport.trim());
    }

    public static Builder builder() {
        return new Builder();
    }

    public HttpSettings http() {
        return http;
    }

    public PushFormat format() {
        return format;
    }

    public Compression compression() {
        return compression;
    }

    /** gzip level, 1 (fastest) to 9 (smallest); used when {@link #compression()} is gzip. */
    public int compressionLevel() {
        return compressionLevel;
    }

    public int backlogCompressionLevel() {
        return backlogCompressionLevel;
    }

    public long batchMaxBytes() {
        return batchMaxBytes;
    }

    public int batchMaxEvents() {
        return batchMaxEvents;
    }

    public long flushIntervalMs() {
        return flushIntervalMs;
    }

    public long bufferMaxBytes() {
        return bufferMaxBytes;
    }

    public int bufferMaxEvents() {
        return bufferMaxEvents;
    }

    public OverflowPolicy overflowPolicy() {
        return overflowPolicy;
    }

    public long blockTimeoutMs() {
        return blockTimeoutMs;
    }

    public int maxRetries() {
        return maxRetries;
    }

    public long retryMinBackoffMs() {
        return retryMinBackoffMs;
    }

    public long retryMaxBackoffMs() {
        return retryMaxBackoffMs;
    }

    public long shutdownTimeoutMs() {
        return shutdownTimeoutMs;
    }

    /** Longest line in UTF-8 bytes before it is cut; 0 means no limit. */
    public int maxLineBytes() {
        return maxLineBytes;
    }

    public int maxStreams() {
        return maxStreams;
    }

    /** The appender's name, used for thread names and status messages. */
    public String name() {
        return name;
    }

    /** Whether the counters are registered as a JMX MBean. */
    public boolean jmx() {
        return jmx;
    }

    /** Whether the counters are registered as Micrometer meters when Micrometer is on the class path. */
    public boolean micrometer() {
        return micrometer;
    }

    /**
     * The Micrometer {@code MeterRegistry} the meters go to, or null for Micrometer's global
     * registry ({@code Metrics.globalRegistry}). Typed {@code Object} so that this class loads
     * without Micrometer.
     */
    public Object meterRegistry() {
        return meterRegistry;
    }

    /** The directory of the on-disk spool, or null when the spool is off (the default). */
    public Path spoolDirectory() {
        return spoolDirectory;
    }

    /** Disk the spool may use, in bytes of its segment files; default 256 MiB. */
    public long spoolMaxBytes() {
        return spoolMaxBytes;
    }

    /**
     * True when pushes go through the JDK's {@code java.net.http.HttpClient} ({@code httpTransport=jdk});
     * false for the default {@code builtin}: this library's own HTTP/1.1 client, or the JDK's where a
     * proxy applies to the URL.
     */
    public boolean jdkHttpClient() {
        return jdkHttpClient;
    }

    @Override
    public String toString() {
        return "LokiConfig{name=" + name + ", " + http + ", format=" + format + ", compression=" + compression
                + ", compressionLevel=" + compressionLevel
                + ", backlogCompressionLevel=" + backlogCompressionLevel
                + ", batchMaxBytes=" + batchMaxBytes + ", batchMaxEvents=" + batchMaxEvents
                + ", flushIntervalMs=" + flushIntervalMs + ", bufferMaxBytes=" + bufferMaxBytes
                + ", bufferMaxEvents=" + bufferMaxEvents + ", overflowPolicy=" + overflowPolicy
                + ", blockTimeoutMs=" + blockTimeoutMs + ", maxRetries=" + maxRetries
                + ", retryMinBackoffMs=" + retryMinBackoffMs + ", retryMaxBackoffMs=" + retryMaxBackoffMs
                + ", shutdownTimeoutMs=" + shutdownTimeoutMs + ", maxLineBytes=" + maxLineBytes
                + ", maxStreams=" + maxStreams
                + (spoolDirectory != null ? ", spoolDirectory=" + spoolDirectory + ", spoolMaxBytes=" + spoolMaxBytes : "")
                + (jdkHttpClient ? ", httpTransport=jdk" : "")
                + '}';
    }

    /** Collects options; every default is the one documented in the README. */
    public static final class Builder {
        private final HttpSettings.Builder http = HttpSettings.builder();
        private String format = "json";
        private String compression = "none";
        private int compressionLevel = DEFAULT_COMPRESSION_LEVEL;
        private int backlogCompressionLevel = DEFAULT_BACKLOG_COMPRESSION_LEVEL;
        private long batchMaxBytes = 1024 * 1024;
        private int batchMaxEvents = 10_000;
        private long flushIntervalMs = 1_000;
        private long bufferMaxBytes = 32L * 1024 * 1024;
        private int bufferMaxEvents = 1_000_000;
        private String overflowPolicy = "DROP_NEWEST";
        private long blockTimeoutMs = 0;
        private int maxRetries = 10;
        private long retryMinBackoffMs = 500;
        private long retryMaxBackoffMs = 30_000;
        private long shutdownTimeoutMs = 10_000;
        private int maxLineBytes = LOKI_MAX_LINE_BYTES;
        private int maxStreams = LabelSetRegistry.DEFAULT_MAX_STREAMS;
        private String name = "loki";
        private boolean jmx = true;
        private boolean micrometer = true;
        private Object meterRegistry;
        private String spoolDirectory;
        private long spoolMaxBytes = DEFAULT_SPOOL_MAX_BYTES;
        private String httpTransport = "builtin";

        private Builder() {
        }

        /** The HTTP side (url, tenant, auth, TLS, timeouts). */
        public HttpSettings.Builder http() {
            return http;
        }

        public Builder url(String url) {
            http.url(url);
            return this;
        }

        /** Sent as {@code X-Scope-OrgID}; default none. */
        public Builder tenantId(String v) {
            http.tenantId(v);
            return this;
        }

        /** HTTP basic auth user; default none. */
        public Builder username(String v) {
            http.username(v);
            return this;
        }

        /** HTTP basic auth password; default none. */
        public Builder password(String v) {
            http.password(v);
            return this;
        }

        /** {@code Authorization: Bearer} token; default none. */
        public Builder bearerToken(String v) {
            http.bearerToken(v);
            return this;
        }

        /** An extra HTTP header on every request. */
        public Builder header(String name, String value) {
            http.header(name, value);
            return this;
        }

        /** PEM file of CA certificates to trust; default: the JVM's trust store. */
        public Builder caCertificatePath(String v) {
            http.caCertificatePath(v);
            return this;
        }

        /** Skip TLS certificate and host name checks; default false. */
        public Builder insecureSkipTlsVerify(boolean v) {
            http.insecureSkipTlsVerify(v);
            return this;
        }

        /** Default 5000 ms. */
        public Builder connectTimeoutMs(long v) {
            http.connectTimeoutMs(v);
            return this;
        }

        /** Default 15000 ms. */
        public Builder requestTimeoutMs(long v) {
            http.requestTimeoutMs(v);
            return this;
        }

        /**
         * {@code builtin} (default): this library's HTTP/1.1 client, one kept-alive connection, or the
         * JDK's client where a system proxy applies to the URL; {@code jdk}: always the JDK's client.
         */
        public Builder httpTransport(String v) {
            this.httpTransport = v;
            return this;
        }

        /** {@code json} (default) or {@code protobuf}. */
        public Builder format(String format) {
            this.format = format;
            return this;
        }

        /** {@code none} (default) or {@code gzip}; JSON only. */
        public Builder compression(String compression) {
            this.compression = compression;
            return this;
        }

        /**
         * gzip level from 1 (fastest) to 9 (smallest); default 1. Measured on log lines, level 1
         * deflates about 2.4x faster than zlib's default 6 for about 10% more bytes, and an
         * appender's CPU is the application's CPU.
         */
        public Builder compressionLevel(int v) {
            this.compressionLevel = v;
            return this;
        }

        /**
         * gzip level, 0 to 9, for batches encoded while more than four batches (or half of the
         * buffer) are waiting;
         * default 0: the body is stored (valid gzip, not compressed), which costs about what plain
         * JSON costs, so that a shipper falling behind catches up instead of the buffer overflowing.
         * Level 1 deflates about a million log lines a second on one core, slower than one thread
         * can log. The same value as {@code compressionLevel} turns the switch off.
         */
        public Builder backlogCompressionLevel(int v) {
            this.backlogCompressionLevel = v;
            return this;
        }

        /** Largest batch in UTF-8 bytes of lines and metadata; default 1 MiB, at most Loki's 6 MiB burst. */
        public Builder batchMaxBytes(long v) {
            this.batchMaxBytes = v;
            return this;
        }

        /** Default 10000. */
        public Builder batchMaxEvents(int v) {
            this.batchMaxEvents = v;
            return this;
        }

        /** Longest time an event waits for its batch; default 1000 ms. */
        public Builder flushIntervalMs(long v) {
            this.flushIntervalMs = v;
            return this;
        }

        /** Memory the buffer may hold; default 32 MiB. */
        public Builder bufferMaxBytes(long v) {
            this.bufferMaxBytes = v;
            return this;
        }

        /** Events the buffer may hold; default 1,000,000. */
        public Builder bufferMaxEvents(int v) {
            this.bufferMaxEvents = v;
            return this;
        }

        /** {@code DROP_NEWEST} (default), {@code DROP_OLDEST} or {@code BLOCK}. */
        public Builder overflowPolicy(String v) {
            this.overflowPolicy = v;
            return this;
        }

        /** Longest wait for room under BLOCK; default 0. */
        public Builder blockTimeoutMs(long v) {
            this.blockTimeoutMs = v;
            return this;
        }

        /** Default 10. */
        public Builder maxRetries(int v) {
            this.maxRetries = v;
            return this;
        }

        /** Default 500 ms. */
        public Builder retryMinBackoffMs(long v) {
            this.retryMinBackoffMs = v;
            return this;
        }

        /** Default 30000 ms. */
        public Builder retryMaxBackoffMs(long v) {
            this.retryMaxBackoffMs = v;
            return this;
        }

        /** How long stop may take to deliver what is buffered; default 10000 ms. */
        public Builder shutdownTimeoutMs(long v) {
            this.shutdownTimeoutMs = v;
            return this;
        }

        /** Lines longer than this many UTF-8 bytes are cut with a marker; default 262144 (Loki's limit), 0 = never. */
        public Builder maxLineBytes(int v) {
            this.maxLineBytes = v;
            return this;
        }

        /** Cap on distinct label sets; default 1000. */
        public Builder maxStreams(int v) {
            this.maxStreams = v;
            return this;
        }

        /** Register the counters as a JMX MBean; default true. */
        public Builder jmx(boolean v) {
            this.jmx = v;
            return this;
        }

        /**
         * Register the counters as Micrometer meters ({@code loki.appender.*}, tagged
         * {@code appender=<name>}) when Micrometer is on the class path; default true.
         */
        public Builder micrometer(boolean v) {
            this.micrometer = v;
            return this;
        }

        /**
         * The Micrometer {@code MeterRegistry} to register the meters with instead of Micrometer's
         * global registry; default none (the global registry). Ignored when {@code micrometer} is false.
         */
        public Builder meterRegistry(Object registry) {
            this.meterRegistry = registry;
            return this;
        }

        /**
         * Directory of the on-disk spool that keeps batches Loki cannot take (outage, restart) and
         * replays them in order; default none (memory only). One appender per directory.
         */
        public Builder spoolDirectory(String v) {
            this.spoolDirectory = v;
            return this;
        }

        /** Disk the spool may use; default 268435456 (256 MiB), at least 2 x batchMaxBytes. */
        public Builder spoolMaxBytes(long v) {
            this.spoolMaxBytes = v;
            return this;
        }

        public Builder name(String v) {
            this.name = v == null || v.isBlank() ? "loki" : v;
            return this;
        }

        /** @throws IllegalArgumentException listing every problem, each naming its option */
        public LokiConfig build() {
            List<String> problems = new ArrayList<>();
            HttpSettings hs = http.build(problems);
            PushFormat f = PushFormat.parse(format);
            if (f == null) {
                problems.add("'format' must be json or protobuf, was '" + format + "'");
            }
            Compression c = Compression.parse(compression);
            if (c == null) {
                problems.add("'compression' must be none or gzip, was '" + compression + "'");
            } else if (f == PushFormat.PROTOBUF && c != Compression.NONE) {
                problems.add("'compression' applies to json only; protobuf is always Snappy-compressed");
            }
            if (compressionLevel < 1 || compressionLevel > 9) {
                problems.add("'compressionLevel' must be between 1 (fastest) and 9 (smallest), was " + compressionLevel);
            }
            if (backlogCompressionLevel < 0 || backlogCompressionLevel > 9) {
                problems.add("'backlogCompressionLevel' must be between 0 (stored) and 9 (smallest), was "
                        + backlogCompressionLevel);
            }
            OverflowPolicy p = parsePolicy(overflowPolicy);
            if (p == null) {
                problems.add("'overflowPolicy' must be DROP_NEWEST, DROP_OLDEST or BLOCK, was '" + overflowPolicy + "'");
            }
            if (batchMaxBytes < 1 || batchMaxBytes > LOKI_INGESTION_BURST_BYTES) {
                problems.add("'batchMaxBytes' must be between 1 and " + LOKI_INGESTION_BURST_BYTES
                        + " (Loki's default ingestion burst), was " + batchMaxBytes);
            }
            positive(problems, "batchMaxEvents", batchMaxEvents);
            nonNegative(problems, "flushIntervalMs", flushIntervalMs);
            positive(problems, "bufferMaxBytes", bufferMaxBytes);
            positive(problems, "bufferMaxEvents", bufferMaxEvents);
            nonNegative(problems, "blockTimeoutMs", blockTimeoutMs);
            nonNegative(problems, "maxRetries", maxRetries);
            positive(problems, "retryMinBackoffMs", retryMinBackoffMs);
            if (retryMaxBackoffMs < retryMinBackoffMs) {
                problems.add("'retryMaxBackoffMs' must be >= retryMinBackoffMs (" + retryMinBackoffMs + "), was " + retryMaxBackoffMs);
            }
            nonNegative(problems, "shutdownTimeoutMs", shutdownTimeoutMs);
            if (maxLineBytes != 0 && (maxLineBytes < 64 || maxLineBytes > LOKI_INGESTION_BURST_BYTES)) {
                problems.add("'maxLineBytes' must be 0 (no limit) or between 64 and " + LOKI_INGESTION_BURST_BYTES + ", was " + maxLineBytes);
            }
            positive(problems, "maxStreams", maxStreams);
            if (meterRegistry != null && !MicrometerSupport.isRegistry(meterRegistry)) {
                problems.add("'meterRegistry' must be an io.micrometer.core.instrument.MeterRegistry visible to the"
                        + " appender's class loader, was " + meterRegistry.getClass().getName());
            }
            if (httpTransport == null || !(httpTransport.trim().equalsIgnoreCase("builtin") || httpTransport.trim().equalsIgnoreCase("jdk"))) {
                problems.add("'httpTransport' must be builtin or jdk, was '" + httpTransport + "'");
            }
            Path spool = spoolPath(problems);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            return new LokiConfig(this, hs, f, c, p, spool);
        }

        private Path spoolPath(List<String> problems) {
            if (spoolMaxBytes <= 0) {
                problems.add("'spoolMaxBytes' must be > 0, was " + spoolMaxBytes);
            } else if (spoolMaxBytes < 2 * batchMaxBytes) {
                // room for the request being written while the oldest one waits for Loki
                problems.add("'spoolMaxBytes' must be at least 2 x batchMaxBytes (" + 2 * batchMaxBytes
                        + "), was " + spoolMaxBytes);
            }
            if (spoolDirectory == null || spoolDirectory.isBlank()) {
                return null;
            }
            try {
                return Paths.get(spoolDirectory.trim()).toAbsolutePath().normalize();
            } catch (InvalidPathException | java.io.IOError | SecurityException e) {
                problems.add("'spoolDirectory' is not a valid path: '" + spoolDirectory + "' (" + e.getMessage() + ")");
                return null;
            }
        }

        private static OverflowPolicy parsePolicy(String s) {
            if (s == null) {
                return null;
            }
            try {
                return OverflowPolicy.valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        private static void positive(List<String> problems, String option, long v) {
            if (v <= 0) {
                problems.add("'" + option + "' must be > 0, was " + v);
            }
        }

        private static void nonNegative(List<String> problems, String option, long v) {
            if (v < 0) {
                problems.add("'" + option + "' must be >= 0, was " + v);
            }
        }
    }
}

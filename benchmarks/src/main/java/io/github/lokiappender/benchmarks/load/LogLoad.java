package io.github.lokiappender.benchmarks.load;

import org.slf4j.Logger;

import java.util.Random;

/**
 * The logging call every run makes, through SLF4J as applications do:
 * {@code "GET {} completed in {} ms"} with two arguments drawn from fixed pools of strings, one call
 * in 16 at WARN (two streams per label set). The pools are built once, so the harness itself
 * allocates nothing per call; the lines vary as real ones do, which matters for compression.
 *
 * <p>One instance per calling thread (not thread-safe).
 */
public final class LogLoad {

    public static final String LOGGER_NAME = "com.example.shop.OrderService";
    public static final String MESSAGE = "GET {} completed in {} ms";

    private static final String[] PATHS = new String[4096];
    private static final String[] MILLIS = new String[1000];

    static {
        Random r = new Random(42);
        for (int i = 0; i < PATHS.length; i++) {
            PATHS[i] = String.format("/api/orders/%08d?user=u-%04d", r.nextInt(100_000_000), r.nextInt(10_000));
        }
        for (int i = 0; i < MILLIS.length; i++) {
            MILLIS[i] = Integer.toString(i);
        }
    }

    private final Logger logger;
    private long state;

    /** The line the runs' layout produces for argument pair {@code i} (for encoder benchmarks). */
    public static String sampleLine(int i) {
        String message = MESSAGE.replaceFirst("\\{\\}", PATHS[i & (PATHS.length - 1)])
                .replaceFirst("\\{\\}", MILLIS[(i * 7) % MILLIS.length]);
        return ((i & 15) == 0 ? "WARN " : "INFO ") + LOGGER_NAME + " [bench-caller-1] - " + message;
    }

    public LogLoad(Logger logger, long seed) {
        this.logger = logger;
        this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
    }

    /** Logs one event. */
    public void logOne() {
        long x = state;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        state = x;
        String path = PATHS[(int) (x & (PATHS.length - 1))];
        String millis = MILLIS[(int) ((x >>> 12) & 0x3ff) % MILLIS.length];
        if (((x >>> 40) & 15) == 0) {
            logger.warn(MESSAGE, path, millis);
        } else {
            logger.info(MESSAGE, path, millis);
        }
    }
}

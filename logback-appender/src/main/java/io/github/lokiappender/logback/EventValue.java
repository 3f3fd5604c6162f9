package io.github.lokiappender.logback;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.pattern.PatternLayoutBase;

import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The per-event value of one label or structured metadata entry. The common single-token
 * patterns ({@code %level}, {@code %logger}, {@code %thread}, {@code %mdc{k}}, {@code %kvp{k}})
 * read the event directly and return strings the event already holds, so they allocate nothing;
 * every other pattern goes through a {@link PatternLayout} built once per entry.
 */
abstract class EventValue {

    private static final Pattern LEVEL = Pattern.compile("%(?:level|le|p)");
    private static final Pattern LOGGER = Pattern.compile("%(?:logger|lo|c)");
    private static final Pattern THREAD = Pattern.compile("%(?:thread|t)");
    private static final Pattern MDC = Pattern.compile("%(?:mdc|X)\\{([^{}:]+)}");
    private static final Pattern KVP = Pattern.compile("%kvp\\{([^{}:]+)}");
    /** True when {@code PatternLayoutBase} takes converter suppliers (Logback 1.5.13+), not class names. */
    private static final boolean CONVERTER_SUPPLIERS = hasConverterSuppliers();

    /** The value for {@code event}; null or empty means "absent for this event". */
    abstract String value(ILoggingEvent event);

    /** True if {@code pattern} has no conversion word: its value is the same for every event. */
    static boolean isStatic(String pattern) {
        return pattern.indexOf('%') < 0;
    }

    /**
     * Compiles a dynamic pattern. Returns null if Logback could not compile it (Logback has then
     * reported why in its status).
     */
    static EventValue compile(String pattern, Context context) {
        Matcher m;
        if (LEVEL.matcher(pattern).matches()) {
            return new LevelName();
        }
        if (LOGGER.matcher(pattern).matches()) {
            return new LoggerName();
        }
        if (THREAD.matcher(pattern).matches()) {
            return new ThreadName();
        }
        if ((m = MDC.matcher(pattern)).matches()) {
            return new Mdc(m.group(1).trim());
        }
        if ((m = KVP.matcher(pattern)).matches() && !isQuoteOption(m.group(1).trim())) {
            return new Kvp(m.group(1).trim());
        }
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        registerKeyValueConverter(layout);
        layout.setPattern(pattern);
        layout.setPostCompileProcessor(null); // a label must never get a stack trace appended
        layout.start();
        return layout.isStarted() ? new Layout(layout) : null;
    }

    private static boolean isQuoteOption(String option) {
        return option.equalsIgnoreCase("DOUBLE") || option.equalsIgnoreCase("SINGLE") || option.equalsIgnoreCase("NONE");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void registerKeyValueConverter(PatternLayout layout) {
        Map map = layout.getInstanceConverterMap();
        if (CONVERTER_SUPPLIERS) {
            Supplier<DynamicConverter> s = KeyValueConverter::new;
            map.put("kvp", s);
        } else {
            map.put("kvp", KeyValueConverter.class.getName()); // Logback before 1.5.13 maps words to class names
        }
    }

    private static boolean hasConverterSuppliers() {
        try {
            PatternLayoutBase.class.getDeclaredMethod("getDefaultConverterSupplierMap");
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static final class LevelName extends EventValue {
        @Override
        String value(ILoggingEvent event) {
            return event.getLevel().levelStr;
        }
    }

    private static final class LoggerName extends EventValue {
        @Override
        String value(ILoggingEvent event) {
            return event.getLoggerName();
        }
    }

    private static final class ThreadName extends EventValue {
        @Override
        String value(ILoggingEvent event) {
            return event.getThreadName();
        }
    }

    private static final class Mdc extends EventValue {
        private final String key;

        Mdc(String key) {
            this.key = key;
        }

        @Override
        String value(ILoggingEvent event) {
            Map<String, String> mdc = event.getMDCPropertyMap();
            return mdc == null ? null : mdc.get(key);
        }
    }

    private static final class Kvp extends EventValue {
        private final String key;

        Kvp(String key) {
            this.key = key;
        }

        @Override
        String value(ILoggingEvent event) {
            return KeyValueConverter.valueOf(event, key);
        }
    }

    private static final class Layout extends EventValue {
        private final PatternLayout layout;

        Layout(PatternLayout layout) {
            this.layout = layout;
        }

        @Override
        String value(ILoggingEvent event) {
            return layout.doLayout(event);
        }
    }
}

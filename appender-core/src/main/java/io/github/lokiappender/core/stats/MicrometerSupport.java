package io.github.lokiappender.core.stats;

/**
 * The only door to {@link MicrometerMeters}: finds out once whether Micrometer is on the class
 * path and touches the class that references Micrometer types only if it is. Micrometer is an
 * optional dependency; without it the appender works the same, with JMX and {@code stats()}.
 */
public final class MicrometerSupport {

    /** The class whose presence means "Micrometer is there". */
    static final String REGISTRY_CLASS = "io.micrometer.core.instrument.MeterRegistry";

    private static final Class<?> REGISTRY = find();

    private MicrometerSupport() {
    }

    private static Class<?> find() {
        try {
            // the core's own loader: the meters are built by classes it loads
            return Class.forName(REGISTRY_CLASS, false, MicrometerSupport.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError absent) {
            return null;
        }
    }

    /** Whether micrometer-core is visible to the appender's class loader. */
    public static boolean isPresent() {
        return REGISTRY != null;
    }

    /** Whether {@code o} is a Micrometer {@code MeterRegistry} (false when Micrometer is absent). */
    public static boolean isRegistry(Object o) {
        return REGISTRY != null && REGISTRY.isInstance(o);
    }

    /**
     * Registers the meters of one pipeline, tagged {@code appender=<appenderName>}.
     *
     * @param registry a {@code MeterRegistry}, or null for Micrometer's global registry
     * @return what removes them again, or null when Micrometer is absent
     * @throws RuntimeException or {@link LinkageError} if Micrometer refuses (the caller reports it)
     */
    public static Binding bind(Object registry, String appenderName, MeterSource source) {
        if (REGISTRY == null) {
            return null;
        }
        if (registry != null && !REGISTRY.isInstance(registry)) {
            throw new IllegalArgumentException("not a " + REGISTRY_CLASS + ": " + registry.getClass().getName());
        }
        return MicrometerMeters.bind(registry, appenderName, source);
    }

    /** Registered meters of one pipeline. */
    public interface Binding {
        /** Removes the pipeline's meters (once no other live pipeline shares its name). Never throws. */
        void close();
    }
}

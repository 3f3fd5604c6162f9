package io.github.lokiappender.benchmarks.runner;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Class paths for the child JVMs, built from {@code target/lib} (the module's dependencies, file
 * names prefixed with their group id): the harness, one framework, and exactly one appender. Two
 * Logback bindings or two {@code Loki} plugins never meet in one JVM.
 */
final class Classpaths {

    private static final List<String> COMMON = List.of("org.openjdk.jmh.", "net.sf.jopt-simple.",
            "org.apache.commons.commons-math3", "org.slf4j.slf4j-api");
    private static final List<String> LOGBACK = List.of("ch.qos.logback.");
    private static final List<String> LOG4J2 = List.of("org.apache.logging.log4j.");
    private static final List<String> OURS_CORE = List.of("io.github.lokiappender.appender-core-",
            "com.fasterxml.jackson.core.");
    private static final List<String> OURS_LOGBACK = List.of("io.github.lokiappender.logback-appender-");
    private static final List<String> OURS_LOG4J2 = List.of("io.github.lokiappender.log4j2-appender-");
    private static final List<String> LOKI4J = List.of("com.github.loki4j.", "com.google.protobuf.",
            "org.xerial.snappy.");
    private static final List<String> TJAHZI = List.of("pl.tkowalcz.", "org.agrona.", "io.netty.");

    private final Path jar;
    private final List<Path> lib;

    private Classpaths(Path jar, List<Path> lib) {
        this.jar = jar;
        this.lib = lib;
    }

    /** Locates the benchmarks jar (or classes directory) and the lib directory beside it. */
    static Classpaths locate() {
        try {
            Path self = Path.of(Classpaths.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path libDir = self.getParent().resolve("lib");
            if (!Files.isDirectory(libDir)) {
                throw new IllegalStateException("no " + libDir + ": build with 'mvn -pl benchmarks -am package'");
            }
            try (Stream<Path> s = Files.list(libDir)) {
                return new Classpaths(self, s.filter(p -> p.toString().endsWith(".jar")).sorted()
                        .collect(Collectors.toList()));
            }
        } catch (URISyntaxException | java.io.IOException e) {
            throw new IllegalStateException("cannot locate the benchmark jars", e);
        }
    }

    String forVariant(Variant v) {
        List<String> prefixes = new ArrayList<>(COMMON);
        prefixes.addAll(v.framework == Variant.Framework.LOGBACK ? LOGBACK : LOG4J2);
        switch (v) {
            case OURS_LOGBACK:
                prefixes.addAll(OURS_CORE);
                prefixes.addAll(OURS_LOGBACK);
                break;
            case OURS_LOG4J2:
                prefixes.addAll(OURS_CORE);
                prefixes.addAll(OURS_LOG4J2);
                break;
            case LOKI4J:
                prefixes.addAll(LOKI4J);
                break;
            case TJAHZI:
                prefixes.addAll(TJAHZI);
                break;
            case LOGBACK_BASELINE:
            case LOG4J2_BASELINE:
                break;
            default:
                throw new AssertionError(v);
        }
        List<String> entries = new ArrayList<>();
        entries.add(jar.toString());
        for (Path p : lib) {
            String name = p.getFileName().toString();
            if (prefixes.stream().anyMatch(name::startsWith)) {
                entries.add(p.toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Jars in lib that no variant uses (reported, so that a new transitive dependency is noticed). */
    Set<String> unassigned() {
        List<String> all = new ArrayList<>();
        for (List<String> l : List.of(COMMON, LOGBACK, LOG4J2, OURS_CORE, OURS_LOGBACK, OURS_LOG4J2, LOKI4J, TJAHZI)) {
            all.addAll(l);
        }
        Set<String> out = new TreeSet<>();
        for (Path p : lib) {
            String name = p.getFileName().toString();
            if (all.stream().noneMatch(name::startsWith)) {
                out.add(name);
            }
        }
        return out;
    }
}

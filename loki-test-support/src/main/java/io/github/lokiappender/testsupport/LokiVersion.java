package io.github.lokiappender.testsupport;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Loki version the stand-in imitates; only major.minor matter for behaviour. */
final class LokiVersion {
    private static final Pattern FORMAT = Pattern.compile("v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?(?:[-+].*)?");

    final String text;
    final int major;
    final int minor;

    private LokiVersion(String text, int major, int minor) {
        this.text = text;
        this.major = major;
        this.minor = minor;
    }

    static LokiVersion parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("lokiVersion must look like 3.4.0, got: " + text);
        }
        return new LokiVersion(text.trim(), Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    boolean atLeast(int wantMajor, int wantMinor) {
        return major > wantMajor || (major == wantMajor && minor >= wantMinor);
    }

    @Override
    public String toString() {
        return text;
    }
}

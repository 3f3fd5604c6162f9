package io.github.lokiappender.core.encode;

import java.util.Locale;

/** Content encoding of a JSON push body. Protobuf bodies are always Snappy-compressed. */
public enum Compression {
    NONE,
    GZIP;

    /** Parses {@code none} / {@code gzip}, any case; null if unknown. */
    public static Compression parse(String s) {
        if (s == null) {
            return null;
        }
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "none":
            case "":
                return NONE;
            case "gzip":
                return GZIP;
            default:
                return null;
        }
    }
}

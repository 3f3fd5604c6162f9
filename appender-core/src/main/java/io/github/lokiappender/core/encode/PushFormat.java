package io.github.lokiappender.core.encode;

import java.util.Locale;

/** The push body format. */
public enum PushFormat {
    /** {@code application/json}, optionally gzip-compressed. */
    JSON,
    /** {@code application/x-protobuf}, always Snappy-compressed, as Loki's own clients send. */
    PROTOBUF;

    /** Parses {@code json} / {@code protobuf}, any case; null if unknown. */
    public static PushFormat parse(String s) {
        if (s == null) {
            return null;
        }
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "json":
                return JSON;
            case "protobuf":
            case "proto":
                return PROTOBUF;
            default:
                return null;
        }
    }
}

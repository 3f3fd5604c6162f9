package io.github.lokiappender.testsupport;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The distributor's per-stream and per-entry checks (Loki 3.x defaults). Invalid streams and
 * entries are reported with Loki's own messages; the valid rest is passed on to be stored.
 */
final class PushValidator {
    static final int MAX_LABEL_NAME_BYTES = 1024;
    static final int MAX_LABEL_VALUE_BYTES = 2048;
    static final int MAX_STRUCTURED_METADATA_BYTES = 64 * 1024;
    static final int MAX_STRUCTURED_METADATA_ENTRIES = 128;
    private static final String SERVICE_NAME = "service_name";

    /** A stream that passed label validation, with the entries that passed entry validation. */
    static final class ValidStream {
        final List<String[]> labels;
        final String key;
        final List<PushDecoder.DecodedEntry> entries = new ArrayList<>();

        ValidStream(List<String[]> labels, String key) {
            this.labels = labels;
            this.key = key;
        }
    }

    static final class Result {
        final List<ValidStream> streams = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        long validBytes;
        int validLines;
    }

    private final Settings settings;

    PushValidator(Settings settings) {
        this.settings = settings;
    }

    Result validate(List<PushDecoder.DecodedStream> streams, long nowNanos) {
        Result result = new Result();
        for (PushDecoder.DecodedStream stream : streams) {
            if (stream.entries.isEmpty()) {
                continue; // Loki skips empty streams before looking at their labels
            }
            List<String[]> labels = normalize(stream.labels);
            String key = Labels.renderPairs(labels);
            String labelError = checkLabels(labels, key);
            if (labelError != null) {
                result.errors.add(labelError);
                continue;
            }
            ValidStream valid = new ValidStream(labels, key);
            for (PushDecoder.DecodedEntry entry : stream.entries) {
                String entryError = checkEntry(entry, key, nowNanos);
                if (entryError != null) {
                    result.errors.add(entryError);
                    continue;
                }
                valid.entries.add(entry);
                result.validLines++;
                result.validBytes += utf8Length(entry.line) + metadataBytes(entry.metadata);
            }
            if (!valid.entries.isEmpty()) {
                result.streams.add(valid);
            }
        }
        return result;
    }

    /** Loki drops labels with empty values (they equal absent labels) and sorts by name. */
    private static List<String[]> normalize(List<String[]> labels) {
        List<String[]> out = new ArrayList<>(labels.size());
        for (String[] pair : labels) {
            if (!pair[1].isEmpty()) {
                out.add(pair);
            }
        }
        out.sort(Comparator.comparing((String[] p) -> p[0]));
        return out;
    }

    private String checkLabels(List<String[]> labels, String key) {
        if (labels.isEmpty()) {
            return "error at least one label pair is required per stream";
        }
        int names = labels.size();
        Set<String> seen = new HashSet<>();
        for (String[] pair : labels) {
            if (pair[0].equals(SERVICE_NAME)) {
                names--; // Loki may add service_name itself, so it does not count against the limit
            }
        }
        if (names > settings.maxLabelNamesPerSeries) {
            return "entry for stream '" + key + "' has " + names + " label names; limit "
                    + settings.maxLabelNamesPerSeries;
        }
        for (String[] pair : labels) {
            String name = pair[0];
            if (!Labels.isValidName(name)) {
                return "invalid label name '" + name + "' for stream '" + key
                        + "': names must match [a-zA-Z_][a-zA-Z0-9_]*";
            }
            if (name.startsWith("__")) {
                return "invalid label name '" + name + "' for stream '" + key
                        + "': names starting with __ are reserved for internal use";
            }
            if (utf8Length(name) > MAX_LABEL_NAME_BYTES) {
                return "stream '" + key + "' has label name too long: '" + name + "'";
            }
            if (utf8Length(pair[1]) > MAX_LABEL_VALUE_BYTES) {
                return "stream '" + key + "' has label value too long: '" + pair[1] + "'";
            }
            if (!seen.add(name)) {
                return "stream '" + key + "' has duplicate label name: '" + name + "'";
            }
        }
        return null;
    }

    private String checkEntry(PushDecoder.DecodedEntry entry, String key, long now) {
        long ts = entry.timestampNanos;
        if (settings.rejectOldSamplesMaxAgeNanos > 0) {
            long oldest = now - settings.rejectOldSamplesMaxAgeNanos;
            if (ts < oldest) {
                return "entry for stream '" + key + "' has timestamp too old: " + LokiTime.rfc3339(ts)
                        + ", oldest acceptable timestamp is: " + LokiTime.rfc3339(oldest);
            }
        }
        if (ts > now + settings.creationGracePeriodNanos) {
            return "entry for stream '" + key + "' has timestamp too new: " + LokiTime.rfc3339(ts);
        }
        int lineBytes = utf8Length(entry.line);
        if (settings.maxLineBytes > 0 && lineBytes > settings.maxLineBytes) {
            return "Max entry size '" + settings.maxLineBytes + "' bytes exceeded for stream '" + key
                    + "' while adding an entry with length '" + lineBytes + "' bytes";
        }
        if (!entry.metadata.isEmpty()) {
            if (!settings.allowStructuredMetadata) {
                return "stream '" + key + "' includes structured metadata, but this feature is disallowed. Please see "
                        + "`limits_config.allow_structured_metadata` or contact your Loki administrator to enable it.";
            }
            long size = metadataBytes(entry.metadata);
            if (size > MAX_STRUCTURED_METADATA_BYTES) {
                return "stream '" + key + "' has structured metadata too large: '" + size + "' bytes, limit: '"
                        + MAX_STRUCTURED_METADATA_BYTES + "' bytes. Please see "
                        + "`limits_config.max_structured_metadata_size` or contact your Loki administrator to "
                        + "increase it.";
            }
            if (entry.metadata.size() > MAX_STRUCTURED_METADATA_ENTRIES) {
                return "stream '" + key + "' has too many structured metadata labels: '" + entry.metadata.size()
                        + "', limit: '" + MAX_STRUCTURED_METADATA_ENTRIES + "'. Please see "
                        + "`limits_config.max_structured_metadata_entries_count` or contact your Loki "
                        + "administrator to increase it.";
            }
        }
        return null;
    }

    static long metadataBytes(List<String[]> metadata) {
        long n = 0;
        for (String[] pair : metadata) {
            n += utf8Length(pair[0]) + utf8Length(pair[1]);
        }
        return n;
    }

    /** Byte length in UTF-8 without allocating, since Loki's limits are in bytes. */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}

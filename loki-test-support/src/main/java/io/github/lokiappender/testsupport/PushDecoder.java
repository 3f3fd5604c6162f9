package io.github.lokiappender.testsupport;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Turns a push body into streams the way Loki's {@code ParseLokiRequest} does: content encoding
 * first (gzip, raw deflate, or none/snappy), then JSON or snappy-compressed protobuf by media type.
 */
final class PushDecoder {
    static final String JSON = "application/json";
    static final String PROTOBUF = "application/x-protobuf";

    /** Guard against decompression bombs; Loki 3.6 uses the same 100 MB default. */
    static final int MAX_DECODED_BYTES = 100 * 1024 * 1024;

    private static final JsonFactory JSON_FACTORY = new JsonFactory();

    private PushDecoder() {
    }

    /** One stream as sent; labels keep duplicates and order so the validator can judge them. */
    static final class DecodedStream {
        final List<String[]> labels;
        final List<DecodedEntry> entries;

        DecodedStream(List<String[]> labels, List<DecodedEntry> entries) {
            this.labels = labels;
            this.entries = entries;
        }
    }

    static final class DecodedEntry {
        final long timestampNanos;
        final String line;
        final List<String[]> metadata;

        DecodedEntry(long timestampNanos, String line, List<String[]> metadata) {
            this.timestampNanos = timestampNanos;
            this.line = line;
            this.metadata = metadata;
        }
    }

    /** Lower-cased media type without parameters; null when the header is missing or blank. */
    static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return type.isEmpty() ? null : type;
    }

    /** Undoes the Content-Encoding. Loki compares the header value exactly (no case folding). */
    static byte[] decodeContent(String contentEncoding, byte[] raw) {
        String enc = contentEncoding == null ? "" : contentEncoding;
        switch (enc) {
            case "":
            case "snappy": // Loki passes the body through; protobuf is snappy-decoded anyway.
                return raw;
            case "gzip":
                try {
                    return readBounded(new GZIPInputStream(new ByteArrayInputStream(raw)));
                } catch (IOException e) {
                    throw HttpError.badRequest("gzip: " + e.getMessage());
                }
            case "deflate":
                // Go's compress/flate: raw DEFLATE, no zlib header.
                try {
                    return readBounded(new InflaterInputStream(new ByteArrayInputStream(raw), new Inflater(true)));
                } catch (IOException e) {
                    throw HttpError.badRequest("flate: " + e.getMessage());
                }
            default:
                throw HttpError.badRequest("Content-Encoding \"" + enc + "\" not supported");
        }
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        try (InputStream s = in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[16384];
            int n;
            while ((n = s.read(buf)) >= 0) {
                if (out.size() + n > MAX_DECODED_BYTES) {
                    throw new HttpError(413, "request body too large: more than " + MAX_DECODED_BYTES
                            + " bytes after decompression, limit: " + MAX_DECODED_BYTES + " bytes");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    /** Body bytes of the message itself: the JSON text, or the protobuf after snappy. */
    static byte[] payload(String mediaType, byte[] contentDecoded) {
        if (mediaType == null) {
            throw HttpError.badRequest("mime: no media type");
        }
        if (mediaType.equals(JSON)) {
            return contentDecoded;
        }
        if (mediaType.equals(PROTOBUF)) {
            try {
                return Snappy.uncompress(contentDecoded);
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest(e.getMessage());
            }
        }
        throw new HttpError(415, "unsupported Content-Type \"" + mediaType + "\": Loki expects " + JSON
                + " or " + PROTOBUF);
    }

    static List<DecodedStream> parse(String mediaType, byte[] payload, LokiVersion version) {
        return mediaType.equals(JSON) ? parseJson(payload, version) : parseProtobuf(payload, version);
    }

    // ---- JSON ------------------------------------------------------------------------------

    private static List<DecodedStream> parseJson(byte[] body, LokiVersion version) {
        try (JsonParser p = JSON_FACTORY.createParser(body)) {
            List<DecodedStream> streams = new ArrayList<>();
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw HttpError.badRequest("push request must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("streams") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        streams.add(jsonStream(p, version));
                    }
                } else if (field.equals("streams") && value != JsonToken.VALUE_NULL) {
                    throw HttpError.badRequest("\"streams\" must be an array");
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw HttpError.badRequest("unexpected data after the push request object");
            }
            return streams;
        } catch (JsonProcessingException e) {
            throw HttpError.badRequest("invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw HttpError.badRequest("invalid JSON: " + e.getMessage());
        }
    }

    private static DecodedStream jsonStream(JsonParser p, LokiVersion version) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw HttpError.badRequest("each element of \"streams\" must be an object");
        }
        List<String[]> labels = new ArrayList<>();
        List<DecodedEntry> entries = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("stream")) {
                if (value == JsonToken.START_OBJECT) {
                    labels = flatStringObject(p, "stream label");
                } else if (value != JsonToken.VALUE_NULL) {
                    throw HttpError.badRequest("\"stream\" must be an object of label names to string values");
                }
            } else if (field.equals("values")) {
                if (value == JsonToken.START_ARRAY) {
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        entries.add(jsonEntry(p, version));
                    }
                } else if (value != JsonToken.VALUE_NULL) {
                    throw HttpError.badRequest("\"values\" must be an array");
                }
            } else {
                p.skipChildren();
            }
        }
        return new DecodedStream(labels, entries);
    }

    private static DecodedEntry jsonEntry(JsonParser p, LokiVersion version) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw HttpError.badRequest("each value must be an array [\"<unix epoch in nanoseconds>\", \"<log line>\"]");
        }
        JsonToken t = p.nextToken();
        if (t != JsonToken.VALUE_STRING) {
            throw HttpError.badRequest("timestamp must be a string of Unix epoch nanoseconds, got " + describe(t)
                    + (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT ? " " + p.getText() : ""));
        }
        String tsText = p.getText();
        long ts;
        try {
            ts = Long.parseLong(tsText);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("strconv.ParseInt: parsing \"" + tsText + "\": invalid syntax");
        }
        t = p.nextToken();
        if (t != JsonToken.VALUE_STRING) {
            throw HttpError.badRequest("log line must be a string, got " + describe(t));
        }
        String line = p.getText();
        List<String[]> metadata = Collections.emptyList();
        t = p.nextToken();
        if (t != JsonToken.END_ARRAY) {
            if (!version.atLeast(2, 9)) {
                throw HttpError.badRequest("array must contains 2 values");
            }
            if (t != JsonToken.START_OBJECT) {
                throw HttpError.badRequest("structured metadata must be an object of string values, got " + describe(t));
            }
            metadata = flatStringObject(p, "structured metadata");
            if (p.nextToken() != JsonToken.END_ARRAY) {
                throw HttpError.badRequest("array must contains 2 or 3 values");
            }
        }
        return new DecodedEntry(ts, line, metadata);
    }

    /** Reads {"k":"v",...}; the parser is positioned on START_OBJECT. Non-string values are a 400. */
    private static List<String[]> flatStringObject(JsonParser p, String what) throws IOException {
        List<String[]> pairs = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_STRING) {
                throw HttpError.badRequest(what + " '" + name + "' must have a string value, got " + describe(v));
            }
            pairs.add(new String[] {name, p.getText()});
        }
        return pairs;
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        switch (t) {
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "boolean";
            case VALUE_NULL:
                return "null";
            case START_OBJECT:
                return "object";
            case START_ARRAY:
                return "array";
            case END_ARRAY:
                return "end of array";
            default:
                return t.name();
        }
    }

    // ---- protobuf --------------------------------------------------------------------------

    private static List<DecodedStream> parseProtobuf(byte[] body, LokiVersion version) {
        List<DecodedStream> streams = new ArrayList<>();
        try {
            ProtoReader req = new ProtoReader(body);
            while (req.hasMore()) {
                int tag = req.readTag();
                if (ProtoReader.fieldNumber(tag) == 1) {
                    req.expect(tag, ProtoReader.LENGTH_DELIMITED);
                    streams.add(protoStream(req.readMessage(), version));
                } else {
                    req.skipField(tag);
                }
            }
        } catch (HttpError e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        }
        return streams;
    }

    private static DecodedStream protoStream(ProtoReader r, LokiVersion version) {
        String labelText = "";
        List<DecodedEntry> entries = new ArrayList<>();
        while (r.hasMore()) {
            int tag = r.readTag();
            switch (ProtoReader.fieldNumber(tag)) {
                case 1:
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED);
                    labelText = r.readString();
                    break;
                case 2:
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED);
                    entries.add(protoEntry(r.readMessage(), version));
                    break;
                default:
                    r.skipField(tag); // e.g. field 3, the stream hash
            }
        }
        List<String[]> labels;
        try {
            labels = LogQlParser.parseLabelSet(labelText);
        } catch (IllegalArgumentException e) {
            // Loki parses every stream's labels while reading the request: one bad string fails it all.
            throw HttpError.badRequest("couldn't parse labels: " + e.getMessage());
        }
        return new DecodedStream(labels, entries);
    }

    private static DecodedEntry protoEntry(ProtoReader r, LokiVersion version) {
        long seconds = 0;
        int nanos = 0;
        String line = "";
        List<String[]> metadata = new ArrayList<>();
        while (r.hasMore()) {
            int tag = r.readTag();
            int field = ProtoReader.fieldNumber(tag);
            if (field == 1) {
                r.expect(tag, ProtoReader.LENGTH_DELIMITED);
                ProtoReader ts = r.readMessage();
                while (ts.hasMore()) {
                    int tsTag = ts.readTag();
                    if (ProtoReader.fieldNumber(tsTag) == 1) {
                        ts.expect(tsTag, ProtoReader.VARINT);
                        seconds = ts.readVarint();
                    } else if (ProtoReader.fieldNumber(tsTag) == 2) {
                        ts.expect(tsTag, ProtoReader.VARINT);
                        nanos = (int) ts.readVarint(); // int32: negative values are sign-extended varints
                    } else {
                        ts.skipField(tsTag);
                    }
                }
            } else if (field == 2) {
                r.expect(tag, ProtoReader.LENGTH_DELIMITED);
                line = r.readString();
            } else if (field == 3 && version.atLeast(2, 9)) {
                r.expect(tag, ProtoReader.LENGTH_DELIMITED);
                metadata.add(labelPair(r.readMessage()));
            } else {
                r.skipField(tag); // older Loki does not know field 3 and drops it silently
            }
        }
        long ts;
        try {
            ts = Math.addExact(Math.multiplyExact(seconds, LokiTime.SECOND), nanos);
        } catch (ArithmeticException e) {
            throw HttpError.badRequest("timestamp out of range: seconds=" + seconds + " nanos=" + nanos);
        }
        return new DecodedEntry(ts, line, metadata);
    }

    private static String[] labelPair(ProtoReader r) {
        String name = "";
        String value = "";
        while (r.hasMore()) {
            int tag = r.readTag();
            if (ProtoReader.fieldNumber(tag) == 1) {
                r.expect(tag, ProtoReader.LENGTH_DELIMITED);
                name = r.readString();
            } else if (ProtoReader.fieldNumber(tag) == 2) {
                r.expect(tag, ProtoReader.LENGTH_DELIMITED);
                value = r.readString();
            } else {
                r.skipField(tag);
            }
        }
        return new String[] {name, value};
    }
}

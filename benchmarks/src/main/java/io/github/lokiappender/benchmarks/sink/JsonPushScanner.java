package io.github.lokiappender.benchmarks.sink;

import java.nio.charset.StandardCharsets;

/**
 * Walks a Loki JSON push body ({@code {"streams":[{"stream":{...},"values":[["<ns>","<line>"(,{...})?],...]}]}})
 * without building strings: checks the syntax, counts streams and entries, and reads each
 * entry's timestamp. Fast enough that the sink is not what limits a run.
 */
final class JsonPushScanner {

    private static final byte[] STREAMS = "streams".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STREAM = "stream".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VALUES = "values".getBytes(StandardCharsets.US_ASCII);

    private final byte[] b;
    private final int end;
    private int p;

    private JsonPushScanner(byte[] b, int off, int len) {
        this.b = b;
        this.p = off;
        this.end = off + len;
    }

    /** @throws IllegalArgumentException if the body is not a well-formed push request */
    static void scan(byte[] body, int off, int len, Tally tally) {
        new JsonPushScanner(body, off, len).request(tally);
    }

    private void request(Tally t) {
        expect('{');
        if (peekAfterWs() == '}') {
            p++;
        } else {
            do {
                int keyStart = keyStart();
                int keyEnd = skipString();
                expect(':');
                if (equals(keyStart, keyEnd, STREAMS)) {
                    streams(t);
                } else {
                    skipValue(0);
                }
            } while (commaOr('}'));
        }
        if (peekAfterWs() != -1) {
            throw error("data after the push object");
        }
    }

    private void streams(Tally t) {
        expect('[');
        if (peekAfterWs() == ']') {
            p++;
            return;
        }
        do {
            stream(t);
        } while (commaOr(']'));
    }

    private void stream(Tally t) {
        expect('{');
        t.stream();
        if (peekAfterWs() == '}') {
            p++;
            return;
        }
        do {
            int keyStart = keyStart();
            int keyEnd = skipString();
            expect(':');
            if (equals(keyStart, keyEnd, VALUES)) {
                values(t);
            } else if (equals(keyStart, keyEnd, STREAM)) {
                stringObject();
            } else {
                skipValue(0);
            }
        } while (commaOr('}'));
    }

    private void values(Tally t) {
        expect('[');
        if (peekAfterWs() == ']') {
            p++;
            return;
        }
        do {
            expect('[');
            expect('"');
            long ts = 0;
            int digits = 0;
            while (p < end && b[p] != '"') {
                int d = b[p++] - '0';
                if (d < 0 || d > 9 || ++digits > 19) {
                    throw error("timestamp must be a string of epoch nanoseconds");
                }
                ts = ts * 10 + d;
            }
            if (digits == 0) {
                throw error("empty timestamp");
            }
            p++; // closing quote
            expect(',');
            expect('"');
            skipStringBody();
            if (commaOr(']')) {
                stringObject(); // structured metadata
                expect(']');
            }
            t.entry(ts);
        } while (commaOr(']'));
    }

    /** {"name":"value",...} */
    private void stringObject() {
        expect('{');
        if (peekAfterWs() == '}') {
            p++;
            return;
        }
        do {
            keyStart();
            skipString();
            expect(':');
            expect('"');
            skipStringBody();
        } while (commaOr('}'));
    }

    private void skipValue(int depth) {
        if (depth > 64) {
            throw error("nesting too deep");
        }
        int c = peekAfterWs();
        switch (c) {
            case '"':
                p++;
                skipStringBody();
                return;
            case '{':
                p++;
                if (peekAfterWs() == '}') {
                    p++;
                    return;
                }
                do {
                    keyStart();
                    skipString();
                    expect(':');
                    skipValue(depth + 1);
                } while (commaOr('}'));
                return;
            case '[':
                p++;
                if (peekAfterWs() == ']') {
                    p++;
                    return;
                }
                do {
                    skipValue(depth + 1);
                } while (commaOr(']'));
                return;
            default:
                int start = p;
                while (p < end && (isLiteralChar(b[p]))) {
                    p++;
                }
                if (p == start) {
                    throw error("unexpected character");
                }
        }
    }

    private static boolean isLiteralChar(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' || c == '.' || c == 'E';
    }

    /** Positions after the opening quote of a key and returns where the key starts. */
    private int keyStart() {
        expect('"');
        return p;
    }

    /** Skips to after the closing quote; returns the index of the closing quote. */
    private int skipString() {
        skipStringBody();
        return p - 1;
    }

    private void skipStringBody() {
        byte[] a = b;
        int i = p;
        int e = end;
        while (i < e) {
            byte c = a[i++];
            if (c == '"') {
                p = i;
                return;
            }
            if (c == '\\') {
                i++;
            } else if (c >= 0 && c < 0x20) {
                throw error("control character in string");
            }
        }
        throw error("unterminated string");
    }

    private boolean commaOr(char close) {
        int c = peekAfterWs();
        p++;
        if (c == ',') {
            return true;
        }
        if (c == close) {
            return false;
        }
        throw error("expected ',' or '" + close + "'");
    }

    private void expect(char c) {
        if (peekAfterWs() != c) {
            throw error("expected '" + c + "'");
        }
        p++;
    }

    private int peekAfterWs() {
        while (p < end) {
            byte c = b[p];
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                p++;
            } else {
                return c;
            }
        }
        return -1;
    }

    private boolean equals(int from, int to, byte[] word) {
        if (to - from != word.length) {
            return false;
        }
        for (int i = 0; i < word.length; i++) {
            if (b[from + i] != word[i]) {
                return false;
            }
        }
        return true;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("invalid JSON push body at byte " + p + ": " + what);
    }
}

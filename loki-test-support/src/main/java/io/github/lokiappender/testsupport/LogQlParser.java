package io.github.lokiappender.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Recursive-descent parser for the small part of LogQL the stand-in understands, and for the
 * Prometheus-style label strings of protobuf pushes. Errors are {@link IllegalArgumentException}s
 * whose message reads like Loki's ("parse error at line 1, col N: ...").
 */
final class LogQlParser {
    static final String UNSUPPORTED = "unsupported by stand-in: ";

    private final String src;
    private int pos;

    private LogQlParser(String src) {
        this.src = src;
    }

    /** Parses a push label string such as {@code {app="shop", env="prod"}}; duplicates are kept for validation. */
    static List<String[]> parseLabelSet(String text) {
        LogQlParser p = new LogQlParser(text);
        p.skipSpace();
        p.expect('{');
        List<String[]> pairs = new ArrayList<>();
        p.skipSpace();
        while (!p.at('}')) {
            String name = p.identifier();
            p.skipSpace();
            p.expect('=');
            if (p.at('~')) {
                throw p.error("syntax error: unexpected =~ in a label set, expecting =");
            }
            p.skipSpace();
            pairs.add(new String[] {name, p.string()});
            p.skipSpace();
            if (!p.at(',')) {
                break;
            }
            p.pos++;
            p.skipSpace();
        }
        p.expect('}');
        p.skipSpace();
        p.expectEnd();
        return pairs;
    }

    /** Parses a log query (selector plus line filters) or one of the supported metric queries. */
    static Object parseQuery(String text) {
        LogQlParser p = new LogQlParser(text);
        p.skipSpace();
        Object result;
        if (p.pos < p.src.length() && isIdentStart(p.src.charAt(p.pos))) {
            result = p.metricQuery();
        } else {
            result = p.logSelector();
        }
        p.skipSpace();
        p.expectEnd();
        return result;
    }

    /** Parses a plain selector with line filters, e.g. one {@code match[]} of a series request. */
    static LabelSelector parseSelector(String text) {
        Object q = parseQuery(text);
        if (!(q instanceof LabelSelector)) {
            throw new IllegalArgumentException("parse error : only stream selectors are allowed here");
        }
        return (LabelSelector) q;
    }

    private LabelSelector logSelector() {
        List<LabelSelector.Matcher> matchers = new ArrayList<>();
        expect('{');
        skipSpace();
        do { // unlike a push label set, a query selector needs at least one matcher
            String name = identifier();
            skipSpace();
            LabelSelector.MatchType type = matchType();
            skipSpace();
            matchers.add(new LabelSelector.Matcher(name, type, string()));
            skipSpace();
            if (!at(',')) {
                break;
            }
            pos++;
            skipSpace();
        } while (!at('}'));
        expect('}');
        List<LabelSelector.LineFilter> filters = new ArrayList<>();
        while (true) {
            skipSpace();
            LabelSelector.FilterType type = null;
            for (LabelSelector.FilterType t : LabelSelector.FilterType.values()) {
                if (src.startsWith(t.symbol, pos)) {
                    type = t;
                }
            }
            if (type == null) {
                if (at('|')) {
                    throw new IllegalArgumentException(UNSUPPORTED + "pipeline stage at col " + (pos + 1)
                            + " (only |= != |~ !~ line filters are implemented)");
                }
                break;
            }
            pos += 2;
            skipSpace();
            filters.add(new LabelSelector.LineFilter(type, string()));
        }
        return new LabelSelector(matchers, filters);
    }

    private MetricQuery metricQuery() {
        int start = pos;
        String fn = identifier();
        if (fn.equals("count_over_time")) {
            return countOverTime(false, new ArrayList<>());
        }
        if (fn.equals("sum")) {
            skipSpace();
            List<String> by = grouping();
            skipSpace();
            expect('(');
            skipSpace();
            int innerStart = pos;
            String inner = isIdentStart(peek()) ? identifier() : "";
            if (!inner.equals("count_over_time")) {
                pos = innerStart;
                throw new IllegalArgumentException(UNSUPPORTED + "sum() over anything but count_over_time");
            }
            MetricQuery q = countOverTime(true, by);
            skipSpace();
            expect(')');
            skipSpace();
            if (by.isEmpty()) {
                by = grouping();
                q = new MetricQuery(q.selector, q.rangeNanos, true, by);
            }
            return q;
        }
        pos = start;
        throw new IllegalArgumentException(UNSUPPORTED + "function or aggregation '" + fn + "'");
    }

    private MetricQuery countOverTime(boolean sum, List<String> by) {
        skipSpace();
        expect('(');
        skipSpace();
        LabelSelector selector = logSelector();
        skipSpace();
        expect('[');
        int close = src.indexOf(']', pos);
        if (close < 0) {
            throw error("syntax error: unexpected end of input, expecting ]");
        }
        long range;
        try {
            range = LokiTime.parseDuration(src.substring(pos, close).trim());
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
        pos = close + 1;
        skipSpace();
        expect(')');
        return new MetricQuery(selector, range, sum, by);
    }

    private List<String> grouping() {
        List<String> labels = new ArrayList<>();
        if (src.startsWith("without", pos)) {
            throw new IllegalArgumentException(UNSUPPORTED + "without()");
        }
        if (!src.startsWith("by", pos) || (pos + 2 < src.length() && isIdentPart(src.charAt(pos + 2)))) {
            return labels;
        }
        pos += 2;
        skipSpace();
        expect('(');
        skipSpace();
        while (!at(')')) {
            labels.add(identifier());
            skipSpace();
            if (!at(',')) {
                break;
            }
            pos++;
            skipSpace();
        }
        expect(')');
        return labels;
    }

    private LabelSelector.MatchType matchType() {
        if (src.startsWith("=~", pos)) {
            pos += 2;
            return LabelSelector.MatchType.RE;
        }
        if (src.startsWith("!~", pos)) {
            pos += 2;
            return LabelSelector.MatchType.NRE;
        }
        if (src.startsWith("!=", pos)) {
            pos += 2;
            return LabelSelector.MatchType.NEQ;
        }
        if (at('=')) {
            pos++;
            return LabelSelector.MatchType.EQ;
        }
        throw unexpected("= != =~ !~");
    }

    private String identifier() {
        if (pos >= src.length() || !isIdentStart(src.charAt(pos))) {
            throw unexpected("IDENTIFIER");
        }
        int start = pos++;
        while (pos < src.length() && isIdentPart(src.charAt(pos))) {
            pos++;
        }
        return src.substring(start, pos);
    }

    /** Go string literals: "..." and '...' with escapes, `...` raw. */
    private String string() {
        char quote = peek();
        if (quote == '`') {
            int close = src.indexOf('`', pos + 1);
            if (close < 0) {
                throw error("literal not terminated");
            }
            String s = src.substring(pos + 1, close);
            pos = close + 1;
            return s;
        }
        if (quote != '"' && quote != '\'') {
            throw unexpected("STRING");
        }
        pos++;
        StringBuilder sb = new StringBuilder();
        ByteArrayOutputStream rawBytes = new ByteArrayOutputStream();
        while (true) {
            if (pos >= src.length()) {
                throw error("literal not terminated");
            }
            char c = src.charAt(pos++);
            if (c == quote) {
                break;
            }
            if (c == '\n') {
                throw error("newline in string");
            }
            if (c != '\\') {
                flushBytes(rawBytes, sb);
                sb.append(c);
                continue;
            }
            if (pos >= src.length()) {
                throw error("literal not terminated");
            }
            char e = src.charAt(pos++);
            switch (e) {
                case 'x':
                    rawBytes.write(hex(2));
                    continue;
                case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
                    rawBytes.write(octal(e));
                    continue;
                default:
                    break;
            }
            flushBytes(rawBytes, sb);
            switch (e) {
                case 'a': sb.append('\u0007'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'v': sb.append('\u000b'); break;
                case '\\': sb.append('\\'); break;
                case 'u': sb.appendCodePoint(hex(4)); break;
                case 'U': sb.appendCodePoint(codePoint(hex(8))); break;
                default:
                    if (e == quote) {
                        sb.append(e);
                        break;
                    }
                    pos -= 2;
                    throw error("invalid escape sequence \\" + e);
            }
        }
        flushBytes(rawBytes, sb);
        return sb.toString();
    }

    private static void flushBytes(ByteArrayOutputStream bytes, StringBuilder sb) {
        if (bytes.size() > 0) {
            sb.append(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
            bytes.reset();
        }
    }

    private int hex(int digits) {
        if (pos + digits > src.length()) {
            throw error("invalid escape sequence");
        }
        int v = 0;
        for (int i = 0; i < digits; i++) {
            int d = Character.digit(src.charAt(pos++), 16);
            if (d < 0) {
                throw error("invalid escape sequence: bad hex digit");
            }
            v = v * 16 + d;
        }
        return v;
    }

    private int octal(char first) {
        int v = first - '0';
        for (int i = 0; i < 2; i++) {
            int d = pos < src.length() ? Character.digit(src.charAt(pos), 8) : -1;
            if (d < 0) {
                throw error("invalid escape sequence: octal escapes need three digits");
            }
            pos++;
            v = v * 8 + d;
        }
        if (v > 255) {
            throw error("invalid escape sequence: octal value out of range");
        }
        return v;
    }

    private int codePoint(int cp) {
        if (!Character.isValidCodePoint(cp)) {
            throw error("invalid escape sequence: code point out of range");
        }
        return cp;
    }

    private void skipSpace() {
        while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
            pos++;
        }
    }

    private boolean at(char c) {
        return pos < src.length() && src.charAt(pos) == c;
    }

    private char peek() {
        return pos < src.length() ? src.charAt(pos) : '\0';
    }

    private void expect(char c) {
        if (!at(c)) {
            throw unexpected(String.valueOf(c));
        }
        pos++;
    }

    private void expectEnd() {
        if (pos < src.length()) {
            throw unexpected("end of input");
        }
    }

    private IllegalArgumentException unexpected(String expecting) {
        String found = pos >= src.length() ? "end of input" : String.valueOf(src.charAt(pos));
        return error("syntax error: unexpected " + found + ", expecting " + expecting);
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException("parse error at line 1, col " + (pos + 1) + ": " + message);
    }

    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isIdentPart(char c) {
        return isIdentStart(c) || (c >= '0' && c <= '9');
    }
}

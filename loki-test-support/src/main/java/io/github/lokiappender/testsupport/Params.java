package io.github.lokiappender.testsupport;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** URL query (and form body) parameters; repeated names such as {@code match[]} keep every value. */
final class Params {
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    static Params parse(String rawQuery, String formBody) {
        Params p = new Params();
        p.addAll(rawQuery);
        p.addAll(formBody);
        return p;
    }

    private void addAll(String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String part : encoded.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = decode(eq < 0 ? part : part.substring(0, eq));
            String value = eq < 0 ? "" : decode(part.substring(eq + 1));
            values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("invalid URL encoding: " + s);
        }
    }

    String get(String name) {
        List<String> v = values.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    List<String> all(String name) {
        List<String> v = values.get(name);
        return v == null ? Collections.emptyList() : v;
    }
}

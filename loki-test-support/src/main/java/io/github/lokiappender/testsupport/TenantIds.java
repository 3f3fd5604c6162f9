package io.github.lokiappender.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** X-Scope-OrgID handling with the same rules as Loki's tenant package. */
final class TenantIds {
    static final String HEADER = "X-Scope-OrgID";
    static final String DEFAULT = "fake";
    private static final int MAX_LENGTH = 150;

    private TenantIds() {
    }

    /**
     * Resolves the tenants of a request. Without auth a missing header means "fake"; with
     * {@code requireTenant} it is a 401. Several tenants ({@code a|b}) are only allowed for queries.
     */
    static List<String> resolve(String header, boolean requireTenant, boolean allowMany) {
        List<String> result = new ArrayList<>();
        if (header == null || header.isEmpty()) {
            if (requireTenant) {
                throw new HttpError(401, "no org id");
            }
            result.add(DEFAULT);
            return result;
        }
        String[] parts = header.split("\\|", -1);
        if (parts.length > 1 && !allowMany) {
            throw HttpError.badRequest("multiple org IDs present");
        }
        TreeSet<String> unique = new TreeSet<>();
        for (String part : parts) {
            validate(part);
            unique.add(part);
        }
        result.addAll(unique);
        return result;
    }

    private static void validate(String id) {
        if (id.isEmpty()) {
            throw new HttpError(401, "no org id");
        }
        if (id.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            throw HttpError.badRequest("tenant ID is too long: max " + MAX_LENGTH + " characters");
        }
        if (id.equals(".") || id.equals("..")) {
            throw HttpError.badRequest("tenant ID is '.' or '..'");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!-_.*'()".indexOf(c) >= 0;
            if (!ok) {
                throw HttpError.badRequest("tenant ID '" + id + "' contains unsupported character '" + c + "'");
            }
        }
    }
}

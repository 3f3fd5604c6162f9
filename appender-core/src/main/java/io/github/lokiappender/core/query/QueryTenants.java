package io.github.lokiappender.core.query;

import io.github.lokiappender.core.http.HttpSettings;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Tenant ids for queries. Unlike a push, a query may name several tenants joined with {@code |}
 * ({@code team-a|team-b}); each must follow Loki's rules for one tenant id.
 */
final class QueryTenants {

    private QueryTenants() {
    }

    static void check(String tenants, List<String> problems) {
        for (String t : tenants.split("\\|", -1)) {
            if (t.isEmpty()) {
                problems.add("'tenantId' '" + tenants + "' has an empty tenant id; join several with '|' as in 'a|b'");
                return;
            }
            if (t.getBytes(StandardCharsets.UTF_8).length > HttpSettings.MAX_TENANT_BYTES) {
                problems.add("'tenantId' '" + t + "' is longer than " + HttpSettings.MAX_TENANT_BYTES + " bytes");
                return;
            }
            if (t.equals(".") || t.equals("..")) {
                problems.add("'tenantId' must not be '.' or '..'");
                return;
            }
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || "!-_.*'()".indexOf(c) >= 0;
                if (!ok) {
                    problems.add("'tenantId' may only contain letters, digits and !-_.*'() (and '|' between tenants) but has '"
                            + (c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c)) + "'");
                    return;
                }
            }
        }
    }
}

package io.github.lokiappender.core.query;

import io.github.lokiappender.core.http.HttpSettings;

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
            String problem = HttpSettings.tenantIdProblem(t, " (and '|' between tenants)");
            if (problem != null) {
                problems.add(problem);
                return;
            }
        }
    }
}

package io.github.lokiappender.testsupport;

import static io.github.lokiappender.testsupport.TestHttp.get;
import static io.github.lokiappender.testsupport.TestHttp.jsonPush;
import static io.github.lokiappender.testsupport.TestHttp.params;
import static io.github.lokiappender.testsupport.TestHttp.pushJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class TenantAndAuthTest {
    private static final String RANGE = "/loki/api/v1/query_range";
    private static final String ORG = "X-Scope-OrgID";

    private static String body(String app, String line) {
        return jsonPush("{\"app\":\"" + app + "\"}", System.currentTimeMillis() * 1_000_000L, line);
    }

    @Test
    void entriesAreStoredAndQueriedPerTenant() {
        try (FakeLoki loki = FakeLoki.start()) {
            assertThat(pushJson(loki, body("x", "from a"), ORG, "team-a").statusCode()).isEqualTo(204);
            assertThat(pushJson(loki, body("x", "from b"), ORG, "team_b").statusCode()).isEqualTo(204);
            assertThat(pushJson(loki, body("x", "no header")).statusCode()).isEqualTo(204);

            assertThat(loki.entries()).extracting(FakeLoki.Entry::tenant).containsExactly("team-a", "team_b", "fake");
            assertThat(loki.entries("team-a")).extracting(FakeLoki.Entry::line).containsExactly("from a");
            // streams() spans tenants: the same labels in two tenants share a key
            assertThat(loki.streams().get("{app=\"x\"}")).hasSize(3);

            HttpResponse<String> a = get(loki, RANGE, params("query", "{app=\"x\"}"), ORG, "team-a");
            assertThat(a.body()).contains("from a").doesNotContain("from b", "no header");
            HttpResponse<String> none = get(loki, RANGE, params("query", "{app=\"x\"}"));
            assertThat(none.body()).contains("no header").doesNotContain("from a");
            HttpResponse<String> unknown = get(loki, RANGE, params("query", "{app=\"x\"}"), ORG, "nobody");
            assertThat(unknown.body()).contains("\"result\":[]");
        }
    }

    @Test
    void multiTenantQueriesAddTheTenantLabel() {
        try (FakeLoki loki = FakeLoki.start()) {
            pushJson(loki, body("x", "from a"), ORG, "a");
            pushJson(loki, body("x", "from b"), ORG, "b");
            HttpResponse<String> r = get(loki, RANGE, params("query", "{app=\"x\"}"), ORG, "b|a");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("{\"stream\":{\"__tenant_id__\":\"a\",\"app\":\"x\"},\"values\":[[")
                    .contains("{\"stream\":{\"__tenant_id__\":\"b\",\"app\":\"x\"},\"values\":[[");
            HttpResponse<String> onlyB = get(loki, RANGE, params("query", "{app=\"x\", __tenant_id__=\"b\"}"), ORG, "a|b");
            assertThat(onlyB.body()).contains("from b").doesNotContain("from a");
            HttpResponse<String> series = get(loki, "/loki/api/v1/series", params(), ORG, "a|b");
            assertThat(series.body()).isEqualTo("{\"status\":\"success\",\"data\":[{\"__tenant_id__\":\"a\",\"app\":\"x\"},"
                    + "{\"__tenant_id__\":\"b\",\"app\":\"x\"}]}");
        }
    }

    @Test
    void pushNamingSeveralTenantsOrAnInvalidTenantIs400() {
        try (FakeLoki loki = FakeLoki.start()) {
            HttpResponse<String> many = pushJson(loki, body("x", "l"), ORG, "a|b");
            assertThat(many.statusCode()).isEqualTo(400);
            assertThat(many.body()).isEqualTo("multiple org IDs present\n");

            HttpResponse<String> bad = pushJson(loki, body("x", "l"), ORG, "a/b");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).isEqualTo("tenant ID 'a/b' contains unsupported character '/'\n");

            HttpResponse<String> tooLong = pushJson(loki, body("x", "l"), ORG, "t".repeat(151));
            assertThat(tooLong.body()).isEqualTo("tenant ID is too long: max 150 characters\n");
            assertThat(pushJson(loki, body("x", "l"), ORG, "..").body()).isEqualTo("tenant ID is '.' or '..'\n");
            assertThat(pushJson(loki, body("x", "ok"), ORG, "t".repeat(150)).statusCode()).isEqualTo(204);
            assertThat(pushJson(loki, body("x", "ok2"), ORG, "A-z_0.9!*'()").statusCode()).isEqualTo(204);
            assertThat(loki.entries()).extracting(FakeLoki.Entry::line).containsExactly("ok", "ok2");
        }
    }

    @Test
    void requireTenantAnswers401WithoutOrgId() {
        try (FakeLoki loki = FakeLoki.builder().requireTenant(true).start()) {
            HttpResponse<String> push = pushJson(loki, body("x", "l"));
            assertThat(push.statusCode()).isEqualTo(401);
            assertThat(push.body()).isEqualTo("no org id\n");
            assertThat(get(loki, RANGE, params("query", "{app=\"x\"}")).statusCode()).isEqualTo(401);
            assertThat(pushJson(loki, body("x", "l"), ORG, "t1").statusCode()).isEqualTo(204);
            assertThat(loki.entries()).extracting(FakeLoki.Entry::tenant).containsExactly("t1");
            assertThat(loki.requests()).extracting(FakeLoki.Request::status).containsExactly(401, 204);
        }
    }

    @Test
    void basicAuthIsEnforcedOnPushAndQueriesButNotReady() {
        try (FakeLoki loki = FakeLoki.builder().basicAuth("12345", "glc_token").start()) {
            String good = "Basic " + Base64.getEncoder().encodeToString("12345:glc_token".getBytes(StandardCharsets.UTF_8));
            String wrong = "Basic " + Base64.getEncoder().encodeToString("12345:nope".getBytes(StandardCharsets.UTF_8));

            HttpResponse<String> missing = pushJson(loki, body("x", "l"));
            assertThat(missing.statusCode()).isEqualTo(401);
            assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"loki\"");
            assertThat(pushJson(loki, body("x", "l"), "Authorization", wrong).statusCode()).isEqualTo(401);
            assertThat(pushJson(loki, body("x", "l"), "Authorization", good).statusCode()).isEqualTo(204);
            assertThat(get(loki, RANGE, params("query", "{app=\"x\"}")).statusCode()).isEqualTo(401);
            assertThat(get(loki, RANGE, params("query", "{app=\"x\"}"), "Authorization", good).statusCode()).isEqualTo(200);
            assertThat(get(loki, "/ready", params()).statusCode()).isEqualTo(200);
            assertThat(loki.entryCount()).isEqualTo(1);
            assertThat(loki.requests().get(2).header("authorization")).isEqualTo(good);
        }
    }

    @Test
    void bearerTokenIsEnforced() {
        try (FakeLoki loki = FakeLoki.builder().bearerToken("s3cr3t").start()) {
            assertThat(pushJson(loki, body("x", "l"), "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
            assertThat(pushJson(loki, body("x", "l"), "Authorization", "Bearer s3cr3t").statusCode()).isEqualTo(204);
        }
    }
}

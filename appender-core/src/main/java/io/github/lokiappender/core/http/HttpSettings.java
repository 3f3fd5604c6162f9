package io.github.lokiappender.core.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where Loki is and how to talk to it: base URL, tenant, credentials, extra headers, TLS trust
 * and timeouts. Shared by the push side and the query client. Immutable; credentials never
 * appear in {@link #toString()}.
 */
public final class HttpSettings {

    /** Longest tenant id Loki accepts. */
    public static final int MAX_TENANT_BYTES = 150;

    private final URI baseUri;
    private final String tenantId;
    private final String authorization;
    private final Map<String, String> headers;
    private final String caCertificatePath;
    private final boolean insecureSkipTlsVerify;
    private final Duration connectTimeout;
    private final Duration requestTimeout;

    private HttpSettings(Builder b, URI baseUri, String authorization) {
        this.baseUri = baseUri;
        this.tenantId = b.tenantId;
        this.authorization = authorization;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        this.caCertificatePath = b.caCertificatePath;
        this.insecureSkipTlsVerify = b.insecureSkipTlsVerify;
        this.connectTimeout = Duration.ofMillis(b.connectTimeoutMs);
        this.requestTimeout = Duration.ofMillis(b.requestTimeoutMs);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The base URL without a trailing slash, e.g. {@code http://localhost:3100}. */
    public URI baseUri() {
        return baseUri;
    }

    /** {@code baseUri + path}; {@code path} starts with {@code /}. */
    public URI resolve(String path) {
        return URI.create(baseUri.toString() + path);
    }

    public String tenantId() {
        return tenantId;
    }

    /** The {@code Authorization} header value, or null. */
    public String authorization() {
        return authorization;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public String caCertificatePath() {
        return caCertificatePath;
    }

    public boolean insecureSkipTlsVerify() {
        return insecureSkipTlsVerify;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    @Override
    public String toString() {
        return "HttpSettings{url=" + baseUri + (tenantId != null ? ", tenantId=" + tenantId : "")
                + (authorization != null ? ", authorization=<hidden>" : "")
                + (headers.isEmpty() ? "" : ", headers=" + headers.keySet())
                + (caCertificatePath != null ? ", caCertificatePath=" + caCertificatePath : "")
                + (insecureSkipTlsVerify ? ", insecureSkipTlsVerify=true" : "")
                + ", connectTimeout=" + connectTimeout.toMillis() + "ms, requestTimeout=" + requestTimeout.toMillis() + "ms}";
    }

    /**
     * Checks one tenant id against Loki's rules (at most 150 bytes of {@code [A-Za-z0-9!-_.*'()]},
     * not {@code .} or {@code ..}).
     *
     * @param charsNote added to the message about characters (the query side allows '|' between ids)
     * @return the problem, naming the option, or null when the id is valid
     */
    public static String tenantIdProblem(String tenant, String charsNote) {
        if (tenant.getBytes(StandardCharsets.UTF_8).length > MAX_TENANT_BYTES) {
            return "'tenantId' is longer than " + MAX_TENANT_BYTES + " bytes";
        }
        if (tenant.equals(".") || tenant.equals("..")) {
            return "'tenantId' must not be '.' or '..'";
        }
        for (int i = 0; i < tenant.length(); i++) {
            char c = tenant.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!-_.*'()".indexOf(c) >= 0;
            if (!ok) {
                return "'tenantId' may only contain letters, digits and !-_.*'()" + charsNote + " but has '"
                        + (c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c)) + "'";
            }
        }
        return null;
    }

    /** Collects and validates settings; {@link #build()} reports every problem at once, naming the option. */
    public static final class Builder {
        private String url;
        private String tenantId;
        private String username;
        private String password;
        private String bearerToken;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String caCertificatePath;
        private boolean insecureSkipTlsVerify;
        private long connectTimeoutMs = 5_000;
        private long requestTimeoutMs = 15_000;

        private Builder() {
        }

        /** Loki's base URL, {@code http(s)://host:port[/prefix]}. Required. */
        public Builder url(String url) {
            this.url = url;
            return this;
        }

        /** Sent as {@code X-Scope-OrgID}. Default: none. */
        public Builder tenantId(String tenantId) {
            this.tenantId = blankToNull(tenantId);
            return this;
        }

        /** HTTP basic auth user (Grafana Cloud: the numeric user id). Default: none. */
        public Builder username(String username) {
            this.username = blankToNull(username);
            return this;
        }

        public Builder password(String password) {
            this.password = blankToNull(password);
            return this;
        }

        /** Sent as {@code Authorization: Bearer <token>}. Default: none. */
        public Builder bearerToken(String bearerToken) {
            this.bearerToken = blankToNull(bearerToken);
            return this;
        }

        /** An extra header on every request. */
        public Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /** A PEM file of CA certificates to trust instead of the JVM's trust store. Default: none. */
        public Builder caCertificatePath(String path) {
            this.caCertificatePath = blankToNull(path);
            return this;
        }

        /** Trust any server certificate and host name. Default: false. For tests only. */
        public Builder insecureSkipTlsVerify(boolean insecure) {
            this.insecureSkipTlsVerify = insecure;
            return this;
        }

        /** Default: 5000 ms. */
        public Builder connectTimeoutMs(long ms) {
            this.connectTimeoutMs = ms;
            return this;
        }

        /** Default: 15000 ms. */
        public Builder requestTimeoutMs(long ms) {
            this.requestTimeoutMs = ms;
            return this;
        }

        /** Appends this builder's problems to {@code problems}; returns the settings if there were none. */
        public HttpSettings build(List<String> problems) {
            int before = problems.size();
            URI uri = parseUrl(url, problems);
            if (tenantId != null) {
                checkTenant(tenantId, problems);
            }
            if ((username == null) != (password == null)) {
                problems.add("'username' and 'password' must be set together (HTTP basic auth)");
            }
            if (username != null && bearerToken != null) {
                problems.add("set either 'username'/'password' or 'bearerToken', not both");
            }
            for (Map.Entry<String, String> h : headers.entrySet()) {
                if (h.getKey() == null || h.getKey().isBlank() || !isToken(h.getKey())) {
                    problems.add("header name '" + h.getKey() + "' is not a valid HTTP header name");
                } else if (SET_BY_THE_CLIENT.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                    problems.add("header '" + h.getKey() + "' is set by the appender itself and cannot be configured");
                } else if (h.getKey().equalsIgnoreCase("X-Scope-OrgID") && tenantId != null) {
                    problems.add("set either 'tenantId' or a header 'X-Scope-OrgID', not both");
                } else if (h.getKey().equalsIgnoreCase("Authorization") && (username != null || bearerToken != null)) {
                    problems.add("set either 'username'/'password' or 'bearerToken' or a header 'Authorization', not both");
                }
                if (h.getValue() == null || hasCrLf(h.getValue())) {
                    problems.add("header '" + h.getKey() + "' must have a value without CR or LF");
                }
            }
            for (String[] secret : new String[][]{{"username", username}, {"password", password}, {"bearerToken", bearerToken}}) {
                if (secret[1] != null && hasCrLf(secret[1])) {
                    problems.add("'" + secret[0] + "' must not contain CR or LF");
                }
            }
            if (connectTimeoutMs <= 0) {
                problems.add("'connectTimeoutMs' must be > 0, was " + connectTimeoutMs);
            }
            if (requestTimeoutMs <= 0) {
                problems.add("'requestTimeoutMs' must be > 0, was " + requestTimeoutMs);
            }
            if (caCertificatePath != null && insecureSkipTlsVerify) {
                problems.add("set either 'caCertificatePath' or 'insecureSkipTlsVerify', not both");
            }
            if (caCertificatePath != null) {
                if (!java.nio.file.Files.isReadable(java.nio.file.Paths.get(caCertificatePath))) {
                    problems.add("'caCertificatePath' " + caCertificatePath + " is not a readable file");
                } else {
                    try {
                        HttpClients.trusting(caCertificatePath); // fail at configuration, not at the first push
                    } catch (IllegalStateException e) {
                        problems.add("'" + e.getMessage().replaceFirst("^cannot load caCertificatePath", "caCertificatePath' cannot be loaded:"));
                    }
                }
            }
            if (problems.size() > before) {
                return null;
            }
            String auth = null;
            if (username != null) {
                auth = "Basic " + Base64.getEncoder().encodeToString((username + ':' + password).getBytes(StandardCharsets.UTF_8));
            } else if (bearerToken != null) {
                auth = "Bearer " + bearerToken;
            }
            return new HttpSettings(this, uri, auth);
        }

        /** @throws IllegalArgumentException naming every problem */
        public HttpSettings build() {
            List<String> problems = new ArrayList<>();
            HttpSettings s = build(problems);
            if (s == null) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            return s;
        }

        private static URI parseUrl(String url, List<String> problems) {
            if (url == null || url.isBlank()) {
                problems.add("'url' is required (Loki's base URL, e.g. http://localhost:3100)");
                return null;
            }
            String u = url.trim();
            String shown = withoutUserInfo(u); // what error messages may echo: no password pasted into the URL
            try {
                URI uri = new URI(u);
                String scheme = uri.getScheme();
                if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
                    problems.add("'url' must start with http:// or https://, was '" + shown + "'");
                    return null;
                }
                if (uri.getHost() == null) {
                    problems.add("'url' has no host: '" + shown + "'");
                    return null;
                }
                if (uri.getRawUserInfo() != null) {
                    problems.add("'url' must not carry credentials; use 'username'/'password'");
                    return null;
                }
                if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                    problems.add("'url' must not have a query or fragment: '" + shown + "'");
                    return null;
                }
                String path = uri.getRawPath() == null ? "" : uri.getRawPath();
                // accept the push URL itself, as other Loki clients are configured with it
                for (String suffix : new String[]{"/loki/api/v1/push", "/"}) {
                    while (path.endsWith(suffix)) {
                        path = path.substring(0, path.length() - suffix.length());
                    }
                }
                return new URI(uri.getScheme().toLowerCase(java.util.Locale.ROOT) + "://" + uri.getRawAuthority() + path);
            } catch (URISyntaxException | IllegalArgumentException e) {
                problems.add("'url' is not a valid URL: '" + shown + "' (" + String.valueOf(e.getMessage()).replace(u, shown) + ")");
                return null;
            }
        }

        private static void checkTenant(String t, List<String> problems) {
            if (t.indexOf('|') >= 0) {
                problems.add("'tenantId' names several tenants ('|'); a push goes to exactly one tenant");
                return;
            }
            String problem = tenantIdProblem(t, "");
            if (problem != null) {
                problems.add(problem);
            }
        }

        /**
         * {@code u} with anything between the scheme and the last {@code @} of the authority
         * replaced by {@code ***}. Errs on the side of hiding: the part up to the last {@code @}
         * before any query, since a password may itself contain {@code /}.
         */
        static String withoutUserInfo(String u) {
            int scheme = u.indexOf("://");
            int start = scheme < 0 ? 0 : scheme + 3;
            int end = u.length();
            for (char c : new char[]{'?', '#'}) {
                int i = u.indexOf(c, start);
                if (i >= 0 && i < end) {
                    end = i;
                }
            }
            int at = end > 0 ? u.lastIndexOf('@', end - 1) : -1;
            return at >= start ? u.substring(0, start) + "***" + u.substring(at) : u;
        }

        private static boolean hasCrLf(String s) {
            return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
        }

        /** Headers that frame the request: the HTTP client writes them, a second copy would break the request. */
        private static final java.util.Set<String> SET_BY_THE_CLIENT = java.util.Set.of("host", "content-length",
                "content-type", "content-encoding", "transfer-encoding", "connection", "keep-alive", "expect", "upgrade",
                "te", "trailer");

        private static boolean isToken(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                    return false;
                }
            }
            return true;
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.trim();
        }
    }
}

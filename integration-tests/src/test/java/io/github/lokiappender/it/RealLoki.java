package io.github.lokiappender.it;

import io.github.lokiappender.core.query.BuildInfo;
import io.github.lokiappender.core.query.LokiQueryClient;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.MountableFile;

import java.time.Duration;

/**
 * Finds a real Loki once per JVM: {@code LOKI_URL} if set, else a {@code grafana/loki}
 * container when a Docker engine answers, else none, with the reason (tests then skip).
 */
public final class RealLoki {

    /** The Loki image the container-based runs use (a 3.x tag, pinned). */
    public static final String IMAGE = "grafana/loki:3.5.1";

    private static final Object LOCK = new Object();
    private static boolean resolved;
    private static String url;
    private static boolean structuredMetadata;
    private static String unavailableReason;
    private static String authUrl;
    private static String authUnavailableReason;

    private RealLoki() {
    }

    /** The URL of a real Loki, or null (see {@link #unavailableReason()}). */
    public static String url() {
        resolve();
        return url;
    }

    public static boolean structuredMetadata() {
        resolve();
        return structuredMetadata;
    }

    public static String unavailableReason() {
        resolve();
        return unavailableReason;
    }

    /**
     * A real Loki with {@code auth_enabled: true} (multi-tenant): {@code LOKI_AUTH_URL}, or a second
     * container. Null when none (see {@link #authUnavailableReason()}).
     */
    public static String authUrl() {
        resolve();
        return authUrl;
    }

    public static String authUnavailableReason() {
        resolve();
        return authUnavailableReason;
    }

    private static void resolve() {
        synchronized (LOCK) {
            if (resolved) {
                return;
            }
            resolved = true;
            String env = System.getenv("LOKI_URL");
            if (env != null && !env.isBlank()) {
                url = env.trim();
                String sm = System.getenv("LOKI_URL_STRUCTURED_METADATA");
                structuredMetadata = sm != null ? Boolean.parseBoolean(sm) : probeStructuredMetadata(url);
                String auth = System.getenv("LOKI_AUTH_URL");
                if (auth != null && !auth.isBlank()) {
                    authUrl = auth.trim();
                } else {
                    authUnavailableReason = "the tenant test needs a Loki with auth_enabled: set LOKI_AUTH_URL"
                            + " (or run without LOKI_URL where Docker is available)";
                }
                return;
            }
            boolean docker;
            try {
                docker = DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException | LinkageError e) {
                docker = false;
            }
            if (!docker) {
                unavailableReason = "no real Loki: set LOKI_URL (e.g. LOKI_URL=http://127.0.0.1:3100 mvn verify)"
                        + " or start a Docker engine so that Testcontainers can run " + IMAGE;
                authUnavailableReason = unavailableReason;
                return;
            }
            url = start("loki-config.yaml");
            structuredMetadata = true;
            authUrl = start("loki-config-auth.yaml");
        }
    }

    @SuppressWarnings("resource") // lives for the JVM; Testcontainers' reaper removes it
    private static String start(String configResource) {
        GenericContainer<?> c = new GenericContainer<>(IMAGE)
                .withCopyFileToContainer(MountableFile.forClasspathResource(configResource), "/etc/loki/it.yaml")
                .withCommand("-config.file=/etc/loki/it.yaml")
                .withExposedPorts(3100)
                .waitingFor(Wait.forHttp("/ready").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));
        c.start();
        return "http://" + c.getHost() + ":" + c.getMappedPort(3100);
    }

    /** Loki 3.0+ allows structured metadata by default; 2.9 only when configured (assume not). */
    private static boolean probeStructuredMetadata(String lokiUrl) {
        try (LokiQueryClient c = LokiQueryClient.builder().url(lokiUrl).build()) {
            BuildInfo info = c.buildInfo();
            return info.isAtLeast(3, 0);
        } catch (RuntimeException e) {
            return false;
        }
    }
}

package io.github.lokiappender.testsupport;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code 127.0.0.1} and {@code localhost}, made with the JDK's own
 * keytool, for tests of TLS trust: the server side as an {@link SSLContext}, the client side as the
 * PEM file a {@code caCertificatePath} option points at.
 */
public final class SelfSignedTls {

    private static final String PASSWORD = "changeit";

    private final Path caPem;
    private final SSLContext serverContext;

    private SelfSignedTls(Path caPem, SSLContext serverContext) {
        this.caPem = caPem;
        this.serverContext = serverContext;
    }

    /** Creates the key store and the CA file in {@code dir}, valid for two days, for 127.0.0.1 and localhost. */
    public static SelfSignedTls create(Path dir) {
        return create(dir, "ip:127.0.0.1,dns:localhost");
    }

    /**
     * As {@link #create(Path)}, for the given subject alternative names (keytool's form, e.g.
     * {@code dns:loki.example}); the files are named after them, so several can share a directory.
     */
    public static SelfSignedTls create(Path dir, String subjectAltNames) {
        String stem = subjectAltNames.equals("ip:127.0.0.1,dns:localhost") ? "" : subjectAltNames.replaceAll("[^A-Za-z0-9]", "_") + "-";
        Path ks = dir.resolve(stem + "server.p12");
        Path pem = dir.resolve(stem + "ca.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "loki", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=" + subjectAltNames, "-validity", "2", "-keystore", ks.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
        run(keytool, "-exportcert", "-alias", "loki", "-keystore", ks.toString(), "-storepass", PASSWORD,
                "-rfc", "-file", pem.toString());
        try (InputStream in = Files.newInputStream(ks)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, PASSWORD.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return new SelfSignedTls(pem, ctx);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the generated key store " + ks, e);
        }
    }

    /** The certificate as PEM, to be trusted by clients. */
    public Path caPem() {
        return caPem;
    }

    /** Server-side TLS with the certificate's key, e.g. for {@code com.sun.net.httpserver.HttpsConfigurator}. */
    public SSLContext serverContext() {
        return serverContext;
    }

    private static void run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool failed: " + String.join(" ", cmd) + "\n" + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}

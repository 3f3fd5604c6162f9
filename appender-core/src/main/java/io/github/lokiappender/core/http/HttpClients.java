package io.github.lokiappender.core.http;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.concurrent.Executor;

/** Builds the JDK {@link HttpClient} for a set of {@link HttpSettings}, including TLS trust. */
public final class HttpClients {

    private HttpClients() {
    }

    /**
     * @param executor runs the client's internal tasks; null for the JDK's default
     * @throws IllegalStateException if the CA certificate file cannot be read or parsed
     */
    public static HttpClient create(HttpSettings settings, Executor executor) {
        HttpClient.Builder b = HttpClient.newBuilder()
                // HTTP/1.1: Loki behind plain http does not speak h2c, and the upgrade dance costs a round trip
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (executor != null) {
            b.executor(executor);
        }
        if (settings.caCertificatePath() != null) {
            b.sslContext(trusting(settings.caCertificatePath()));
        } else if (settings.insecureSkipTlsVerify()) {
            b.sslContext(trustingAnything());
        }
        return b.build();
    }

    /** An SSL context that trusts exactly the certificates in a PEM (or DER) file. */
    public static SSLContext trusting(String caCertificatePath) {
        try (InputStream in = Files.newInputStream(Paths.get(caCertificatePath))) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalStateException("no certificate found in caCertificatePath " + caCertificatePath);
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load caCertificatePath " + caCertificatePath + ": " + e.getMessage(), e);
        }
    }

    /**
     * An SSL context that accepts any certificate for any host. The JDK client checks host names
     * inside an {@link X509ExtendedTrustManager}, so one that checks nothing skips both checks.
     */
    public static SSLContext trustingAnything() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[]{new TrustAll()}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create an insecure TLS context", e);
        }
    }

    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

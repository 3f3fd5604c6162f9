package io.github.lokiappender.demo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;

/**
 * A pretend web shop handling a few requests: the kind of logging a service does, through plain
 * SLF4J. Nothing here knows about Loki.
 */
final class CheckoutService {

    private static final Logger log = LoggerFactory.getLogger(CheckoutService.class);
    private static final Logger access = LoggerFactory.getLogger("io.github.lokiappender.demo.access");

    private int logged;

    /** Handles the sample requests and returns how many events it logged. */
    int handleSampleTraffic() {
        log.info("checkout service started on port 8080");
        logged++;

        request("4bf92f3577b34da6", "alice", () -> {
            log.debug("cart of alice has 3 items");
            log.atInfo().addKeyValue("order_id", 1001).log("order 1001 placed: 49,90 € for 3 items");
            access.info("POST /api/orders 201 in 23 ms");
            logged += 3;
        });

        request("a3ce929d0e0e4736", "jürgen", () -> {
            log.atInfo().addKeyValue("order_id", 1002).log("Bestellung 1002 bestätigt für Jürgen ✓");
            log.warn("payment provider slow: 1240 ms (threshold 1000 ms)");
            access.info("POST /api/orders 201 in 1302 ms");
            logged += 3;
        });

        request("0af7651916cd43dd", "bob", () -> {
            try {
                charge(1003);
            } catch (IllegalStateException e) {
                log.atError().addKeyValue("order_id", 1003).setCause(e).log("order 1003 failed");
            }
            access.info("POST /api/orders 502 in 87 ms");
            logged += 2;
        });

        log.info("checkout service handled 3 requests");
        logged++;
        return logged;
    }

    private static void charge(int orderId) {
        try {
            throw new IOException("connection reset by payment-gateway.example:443");
        } catch (IOException e) {
            throw new IllegalStateException("payment declined for order " + orderId, e);
        }
    }

    /** What a servlet filter does: put request context into the MDC for everything logged meanwhile. */
    private static void request(String traceId, String user, Runnable handler) {
        MDC.put("trace_id", traceId);
        MDC.put("user", user);
        try {
            handler.run();
        } finally {
            MDC.remove("trace_id");
            MDC.remove("user");
        }
    }
}

package io.github.lokiappender.log4j2;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Run in a child JVM by {@link ShutdownTest}: logs and returns from main without stopping Log4j2,
 * leaving the delivery of the buffered events to Log4j2's shutdown hook.
 */
public final class ShutdownHookMain {

    private ShutdownHookMain() {
    }

    public static void main(String[] args) {
        int events = Integer.parseInt(args[0]);
        Logger log = LogManager.getLogger("shop.exit");
        for (int i = 0; i < events; i++) {
            log.info("exit {}", i);
        }
    }
}

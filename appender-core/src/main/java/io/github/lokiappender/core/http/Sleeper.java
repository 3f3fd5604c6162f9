package io.github.lokiappender.core.http;

/** Waits between retries; injectable so that tests check the schedule without waiting. */
public interface Sleeper {

    /**
     * Waits up to {@code nanos}.
     *
     * @return true if the wait ended early because the shutdown deadline changed
     */
    boolean sleep(long nanos) throws InterruptedException;
}

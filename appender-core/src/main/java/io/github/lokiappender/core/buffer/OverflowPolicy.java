package io.github.lokiappender.core.buffer;

/** What happens to a new event when the buffer's byte or event budget is used up. */
public enum OverflowPolicy {
    /** Drop the new event (the default): the caller never waits. */
    DROP_NEWEST,
    /** Evict the oldest buffered events to make room: the caller never waits, the newest lines survive. */
    DROP_OLDEST,
    /** Wait for room up to {@code blockTimeoutMs}, then drop the new event. */
    BLOCK
}

package io.github.lokiappender.core.query;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Every entry of a log query between two instants, fetched page by page. Loki's {@code start} is
 * inclusive and {@code end} exclusive, so the next page starts at (forward) or ends just after
 * (backward) the last timestamp seen, and the entries already returned at that timestamp are
 * skipped. Entries sharing the boundary timestamp are counted into the next page's limit, so a
 * page always brings something new unless more than the server's maximum share one timestamp.
 */
final class LogPager implements Iterator<LogEntry> {

    private final LokiQueryClient client;
    private final String query;
    private final Direction direction;
    private final int pageSize;
    private final int maxLimit;
    private long start;
    private long end;

    private boolean haveBoundary;
    private long boundary;
    /** Entries returned so far at {@code boundary}; the next page repeats them first. */
    private final Set<LogEntry> seenAtBoundary = new HashSet<>();
    private int countAtBoundary;

    private Iterator<LogEntry> page = Collections.emptyIterator();
    private boolean exhausted;
    private int pages;

    LogPager(LokiQueryClient client, String query, long start, long end, Direction direction, int pageSize, int maxLimit) {
        this.client = client;
        this.query = query;
        this.start = start;
        this.end = end;
        this.direction = direction;
        this.pageSize = pageSize;
        this.maxLimit = maxLimit;
        this.exhausted = start >= end;
    }

    @Override
    public boolean hasNext() {
        while (!page.hasNext() && !exhausted) {
            fetch();
        }
        return page.hasNext();
    }

    @Override
    public LogEntry next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return page.next();
    }

    /** Requests made so far. */
    int pages() {
        return pages;
    }

    private void fetch() {
        int limit = (int) Math.min(maxLimit, (long) pageSize + countAtBoundary);
        QueryResult result = client.rangeNanos(query, start, end, limit, direction, null);
        pages++;
        if (result.type() != QueryResult.Type.STREAMS) {
            throw new IllegalArgumentException("'" + query + "' is a metric query (Loki answered with a "
                    + result.type().name().toLowerCase(java.util.Locale.ROOT)
                    + "); only log queries can be iterated, use queryRange(query, start, end, step)");
        }
        List<LogEntry> all = inOrder(result, direction);
        if (all.size() < limit) {
            exhausted = true;
        }
        if (all.isEmpty()) {
            page = Collections.emptyIterator();
            return;
        }
        List<LogEntry> fresh = new ArrayList<>(all.size());
        for (LogEntry e : all) {
            if (!(haveBoundary && e.timestampNanos() == boundary && seenAtBoundary.contains(e))) {
                fresh.add(e);
            }
        }
        long last = all.get(all.size() - 1).timestampNanos();
        if (!haveBoundary || last != boundary) {
            seenAtBoundary.clear();
            boundary = last;
            haveBoundary = true;
        }
        countAtBoundary = 0;
        for (int i = all.size() - 1; i >= 0 && all.get(i).timestampNanos() == last; i--) {
            seenAtBoundary.add(all.get(i));
            countAtBoundary++;
        }
        if (direction == Direction.FORWARD) {
            start = last;
        } else {
            end = last + 1;
        }
        if (fresh.isEmpty() && !exhausted) {
            throw new IllegalStateException("cannot page past " + LokiTimes.toInstant(last) + ": at least "
                    + countAtBoundary + " entries share that timestamp, more than one page of at most " + maxLimit
                    + " can hold; raise maxEntriesLimit (Loki's max_entries_limit_per_query) or narrow the query");
        }
        page = fresh.iterator();
    }

    /** All entries of a page, ordered by timestamp in the query's direction; ties by stream labels, then as sent. */
    static List<LogEntry> inOrder(QueryResult result, Direction direction) {
        List<LogStream> streams = new ArrayList<>(result.streams());
        streams.sort(Comparator.comparing(s -> s.labels().toString()));
        List<LogEntry> all = new ArrayList<>(result.entryCount());
        for (LogStream s : streams) {
            all.addAll(s.entries());
        }
        Comparator<LogEntry> byTime = Comparator.comparingLong(LogEntry::timestampNanos);
        all.sort(direction == Direction.FORWARD ? byTime : byTime.reversed()); // stable: ties keep stream order
        return all;
    }
}

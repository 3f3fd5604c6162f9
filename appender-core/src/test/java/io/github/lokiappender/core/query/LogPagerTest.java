package io.github.lokiappender.core.query;

import io.github.lokiappender.testsupport.FakeLoki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;

import static io.github.lokiappender.core.query.Seed.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pagination over all entries of a log query: nothing returned twice, nothing skipped. */
class LogPagerTest {

    private static final Instant START = LokiTimes.toInstant(T0);
    private static final Instant END = START.plusSeconds(60);

    private static FakeLoki loki;
    private static LokiQueryClient client;

    @BeforeAll
    static void seed() {
        loki = Seed.fakeLoki().requireTenant(true).start();
        client = LokiQueryClient.builder().url(loki.url()).tenantId("ties").maxRetries(0).build();
        // "seq": ten entries, one per nanosecond
        Seed.push().stream("app=seq", T0 + 1, "e1", T0 + 2, "e2", T0 + 3, "e3", T0 + 4, "e4", T0 + 5, "e5",
                T0 + 6, "e6", T0 + 7, "e7", T0 + 8, "e8", T0 + 9, "e9", T0 + 10, "e10").to(loki, "seq");
        // "ties": five entries share T0+2 across two streams, with neighbours on both sides
        Seed.push()
                .stream("app=a", T0 + 1, "a1", T0 + 2, "a2x", T0 + 2, "a2y", T0 + 2, "a2z", T0 + 4, "a4")
                .stream("app=b", T0 + 2, "b2x", T0 + 2, "b2y", T0 + 3, "b3", Map.of("trace_id", "t3"))
                .to(loki, "ties");
        // "same": four entries at one timestamp and nothing else
        Seed.push().stream("app=same", T0 + 5, "s1", T0 + 5, "s2", T0 + 5, "s3", T0 + 5, "s4").to(loki, "same");
    }

    @AfterAll
    static void stop() {
        client.close();
        loki.close();
    }

    private static String describe(LogEntry e) {
        return e.timestampNanos() + " " + e.labels() + " " + e.line();
    }

    private static List<String> stored(String tenant) {
        return loki.entries(tenant).stream().map(e -> e.timestampNanos() + " " + e.labels() + " " + e.line())
                .collect(Collectors.toList());
    }

    private static List<LogEntry> drain(LokiQueryClient c, String query, Direction direction, int pageSize, int[] pages) {
        Iterator<LogEntry> it = c.entryIterator(query, START, END, direction, pageSize);
        List<LogEntry> out = new ArrayList<>();
        for (int guard = 0; it.hasNext() && guard < 1000; guard++) {
            out.add(it.next());
        }
        pages[0] = ((LogPager) it).pages();
        return out;
    }

    private static void assertInDirectionOrder(List<LogEntry> got, Direction direction) {
        Comparator<Long> order = direction == Direction.FORWARD ? Comparator.naturalOrder() : Comparator.reverseOrder();
        assertThat(got).extracting(LogEntry::timestampNanos).isSortedAccordingTo(order);
    }

    @ParameterizedTest(name = "pageSize {0}, {1}: {2} requests")
    @CsvSource({"1,FORWARD,11", "1,BACKWARD,11", "3,FORWARD,4", "3,BACKWARD,4", "5,FORWARD,3", "5,BACKWARD,3",
            "10,FORWARD,2", "10,BACKWARD,2", "11,FORWARD,1", "100,BACKWARD,1"})
    void distinctTimestampsArePagedWithoutLossOrRepeats(int pageSize, Direction direction, int expectedRequests) {
        try (LokiQueryClient seq = LokiQueryClient.builder().url(loki.url()).tenantId("seq").maxRetries(0).build()) {
            int[] pages = new int[1];
            List<LogEntry> got = drain(seq, "{app=\"seq\"}", direction, pageSize, pages);
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                expected.add("e" + i);
            }
            if (direction == Direction.BACKWARD) {
                java.util.Collections.reverse(expected);
            }
            assertThat(got).extracting(LogEntry::line).containsExactlyElementsOf(expected);
            assertThat(pages[0]).isEqualTo(expectedRequests);
        }
    }

    @ParameterizedTest(name = "pageSize {0}, {1}")
    @CsvSource({"1,FORWARD", "1,BACKWARD", "2,FORWARD", "2,BACKWARD", "3,FORWARD", "3,BACKWARD", "4,FORWARD",
            "4,BACKWARD", "5,FORWARD", "5,BACKWARD", "6,FORWARD", "6,BACKWARD", "7,FORWARD", "8,BACKWARD"})
    void entriesSharingATimestampAcrossPageBoundariesComeExactlyOnce(int pageSize, Direction direction) {
        int[] pages = new int[1];
        List<LogEntry> got = drain(client, "{app=~\"a|b\"}", direction, pageSize, pages);
        assertThat(got).hasSize(8);
        assertThat(got).extracting(LogPagerTest::describe).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(stored("ties"));
        assertInDirectionOrder(got, direction);
        LogEntry b3 = got.stream().filter(e -> e.line().equals("b3")).findFirst().orElseThrow();
        assertThat(b3.structuredMetadata()).containsExactly(Map.entry("trace_id", "t3"));
    }

    @Test
    void pageSizeOneWalksATieGroupEntryByEntry() {
        int[] pages = new int[1];
        List<LogEntry> got = drain(client, "{app=~\"a|b\"}", Direction.FORWARD, 1, pages);
        // a1, then the five at T0+2 (each page one larger than the last), b3, a4, and a final short page
        assertThat(got).extracting(LogEntry::line).containsExactly("a1", "a2x", "a2y", "a2z", "b2x", "b2y", "b3", "a4");
        assertThat(pages[0]).isEqualTo(9);
    }

    @Test
    void aFilteredQueryPagesTheSameWay() {
        List<LogEntry> got = client.entries("{app=~\"a|b\"} |~ \"2\"", START, END, Direction.BACKWARD, 2)
                .collect(Collectors.toList());
        assertThat(got).extracting(LogEntry::line).containsExactlyInAnyOrder("a2x", "a2y", "a2z", "b2x", "b2y");
    }

    @Test
    void theRangeIsStartInclusiveEndExclusive() {
        List<String> lines = client.entries("{app=~\"a|b\"}", START.plusNanos(2), START.plusNanos(4), Direction.FORWARD, 2)
                .map(LogEntry::line).collect(Collectors.toList());
        assertThat(lines).containsExactly("a2x", "a2y", "a2z", "b2x", "b2y", "b3");
    }

    @Test
    void streamApiIsLazy() {
        try (LokiQueryClient seq = LokiQueryClient.builder().url(loki.url()).tenantId("seq").maxRetries(0).build()) {
            Iterator<LogEntry> it = seq.entryIterator("{app=\"seq\"}", START, END, Direction.BACKWARD, 2);
            assertThat(((LogPager) it).pages()).isZero();
            assertThat(it.next().line()).isEqualTo("e10");
            assertThat(it.next().line()).isEqualTo("e9");
            assertThat(((LogPager) it).pages()).isEqualTo(1);
            assertThat(seq.entries("{app=\"seq\"}", START, END, Direction.FORWARD).map(LogEntry::line).limit(3))
                    .containsExactly("e1", "e2", "e3");
        }
    }

    @Test
    void anEmptyRangeMakesNoRequest() {
        Iterator<LogEntry> it = client.entryIterator("{app=\"a\"}", START, START, Direction.FORWARD, 10);
        assertThat(it.hasNext()).isFalse();
        assertThat(((LogPager) it).pages()).isZero();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
        assertThat(client.entries("{app=\"a\"}", END, END.plusSeconds(60), Direction.BACKWARD)).isEmpty();
    }

    @Test
    void tieGroupsUpToTheMaximumPageArePagedThrough() {
        try (LokiQueryClient same = LokiQueryClient.builder().url(loki.url()).tenantId("same").maxEntriesLimit(5).build()) {
            assertThat(same.entries("{app=\"same\"}", START, END, Direction.FORWARD, 1).map(LogEntry::line))
                    .containsExactly("s1", "s2", "s3", "s4");
            assertThat(same.entries("{app=\"same\"}", START, END, Direction.BACKWARD, 1).map(LogEntry::line))
                    .containsExactly("s4", "s3", "s2", "s1"); // the stand-in returns ties in reverse arrival order
        }
    }

    @Test
    void moreEntriesOnOneTimestampThanTheMaximumPageIsAClearError() {
        try (LokiQueryClient same = LokiQueryClient.builder().url(loki.url()).tenantId("same").maxEntriesLimit(3).build()) {
            Iterator<LogEntry> it = same.entryIterator("{app=\"same\"}", START, END, Direction.FORWARD, 1);
            List<String> got = new ArrayList<>();
            assertThatThrownBy(() -> {
                for (int guard = 0; it.hasNext() && guard < 100; guard++) {
                    got.add(it.next().line());
                }
            }).isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot page past 2024-01-01T00:00:00.000000005Z: at least 3 entries share that timestamp,"
                            + " more than one page of at most 3 can hold; raise maxEntriesLimit (Loki's"
                            + " max_entries_limit_per_query) or narrow the query");
            assertThat(got).containsExactly("s1", "s2", "s3");
        }
    }

    @Test
    void aFailingPageThrowsFromTheIterator() {
        Iterator<LogEntry> it = client.entryIterator("{}", START, END, Direction.FORWARD, 10);
        assertThatThrownBy(it::hasNext).isInstanceOfSatisfying(LokiQueryException.class,
                e -> assertThat(e.status()).isEqualTo(400));
    }
}

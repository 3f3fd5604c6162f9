package io.github.lokiappender.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BacklogEncodingChoiceTest {

    private final BacklogEncodingChoice choice = new BacklogEncodingChoice();

    /** The next {@code n} choices, each "sent" in the given time per event for its encoding. */
    private List<Boolean> run(int n, long backlogNanosPerEvent, long normalNanosPerEvent) {
        List<Boolean> used = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean backlog = choice.useBacklogEncoding();
            used.add(backlog);
            choice.record(backlog, 10_000, 10_000 * (backlog ? backlogNanosPerEvent : normalNanosPerEvent));
        }
        return used;
    }

    @Test
    void triesTheBacklogEncodingThenTheNormalOneThenKeepsTheFasterWithARetryEverySixteen() {
        // deflate is the limit (Loki nearby): stored moves a batch in 100 ns per event, deflate in 700
        List<Boolean> used = run(2 + 2 * BacklogEncodingChoice.PROBE_EVERY, 100, 700);
        assertThat(used.subList(0, 2)).containsExactly(true, false);
        List<Boolean> expected = new ArrayList<>();
        for (int i = 1; i <= 2 * BacklogEncodingChoice.PROBE_EVERY; i++) {
            expected.add(i % BacklogEncodingChoice.PROBE_EVERY != 0); // the 16th, 32nd: the slower one again
        }
        assertThat(used.subList(2, used.size())).isEqualTo(expected);
    }

    @Test
    void whenTheLinkIsTheLimitTheBacklogStaysCompressed() {
        // five times the bytes on a slow link: stored takes 2,500 ns per event, deflated 700
        List<Boolean> used = run(2 + BacklogEncodingChoice.PROBE_EVERY, 2_500, 700);
        assertThat(used.subList(0, 2)).containsExactly(true, false);
        assertThat(used.subList(2, used.size() - 1)).containsOnly(false);
        assertThat(used.get(used.size() - 1)).as("the 16th tries stored again").isTrue();
    }

    @Test
    void closeFiguresKeepTheBacklogEncoding() {
        // within half of each other: noise, not a reason to deflate (1,000 <= 1.5 * 700)
        List<Boolean> used = run(10, 1_000, 700);
        assertThat(used.subList(2, 10)).containsOnly(true);
        // clearly slower (1,100 > 1,050 after averaging with 1,200): deflate
        choice.record(true, 10_000, 10_000 * 1_200L);
        assertThat(choice.useBacklogEncoding()).isFalse();
    }

    @Test
    void followsALinkThatChanges() {
        run(2, 100, 700); // stored is faster
        assertThat(choice.useBacklogEncoding()).isTrue();
        // the link slows down: each stored batch now takes 5,000 ns per event; the average follows in two batches
        choice.record(true, 10_000, 10_000 * 5_000L);
        assertThat(choice.useBacklogEncoding()).isFalse(); // (100 + 5,000) / 2 = 2,550 > 700
    }

    @Test
    void nothingToAverageFromAnEmptyBatchOrABackwardClock() {
        choice.record(true, 0, 1_000);
        choice.record(true, 100, -5);
        assertThat(choice.useBacklogEncoding()).as("still untried").isTrue();
    }
}

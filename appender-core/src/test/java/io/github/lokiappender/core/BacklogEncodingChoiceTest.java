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
    void triesTheBacklogEncodingThenTheNormalOneThenKeepsTheFasterTryingTheOtherEveryProbeInterval() {
        // deflate is the limit (Loki nearby): stored moves a batch in 100 ns per event, deflate in 700
        List<Boolean> used = run(2 + 2 * BacklogEncodingChoice.PROBE_EVERY, 100, 700);
        assertThat(used.subList(0, 2)).containsExactly(true, false);
        List<Boolean> expected = new ArrayList<>();
        for (int i = 1; i <= 2 * BacklogEncodingChoice.PROBE_EVERY; i++) {
            expected.add(i % BacklogEncodingChoice.PROBE_EVERY != 0); // the 64th, 128th: the slower one again
        }
        assertThat(used.subList(2, used.size())).isEqualTo(expected);
    }

    @Test
    void whenTheLinkIsTheLimitTheBacklogStaysCompressed() {
        // several times the bytes on a slow link: stored takes 2,500 ns per event, deflated 700
        List<Boolean> used = run(2 + BacklogEncodingChoice.PROBE_EVERY, 2_500, 700);
        assertThat(used.subList(0, 2)).containsExactly(true, false);
        assertThat(used.subList(2, used.size() - 1)).containsOnly(false);
        assertThat(used.get(used.size() - 1)).as("the 64th tries stored again").isTrue();
    }

    @Test
    void closeFiguresKeepTheBacklogEncoding() {
        // within half of each other: noise, not a reason to deflate (1,000 <= 1.5 * 700)
        List<Boolean> used = run(10, 1_000, 700);
        assertThat(used.subList(2, 10)).containsOnly(true);
        // clearly slower in each of the last three batches (the fastest of them, 1,100 > 1,050): deflate
        choice.record(true, 10_000, 10_000 * 1_200L);
        choice.record(true, 10_000, 10_000 * 1_100L);
        assertThat(choice.useBacklogEncoding()).as("one batch at 1,000 is among the last three").isTrue();
        choice.record(true, 10_000, 10_000 * 1_300L);
        assertThat(choice.useBacklogEncoding()).isFalse();
    }

    @Test
    void oneOrTwoSlowBatchesAreNoiseNotASwitch() {
        run(2, 100, 700); // stored is faster
        // a pause or a preempted shipper makes single batches slow, whatever their encoding
        choice.record(true, 10_000, 10_000 * 50_000L);
        assertThat(choice.useBacklogEncoding()).isTrue();
        choice.record(true, 10_000, 10_000 * 50_000L);
        assertThat(choice.useBacklogEncoding()).isTrue();
        // a stored batch as fast as before puts it back at the front
        choice.record(true, 10_000, 10_000 * 100L);
        choice.record(true, 10_000, 10_000 * 50_000L);
        choice.record(true, 10_000, 10_000 * 50_000L);
        assertThat(choice.useBacklogEncoding()).isTrue();
    }

    @Test
    void anOldFastFigureOfTheConfiguredEncodingDoesNotOutvoteFreshOnes() {
        run(2, 400, 300); // a quiet moment: deflate even a little faster, stored kept (400 <= 1.5 * 300)
        // the machine gets busy: every batch takes longer, stored still the faster of the two
        for (int i = 0; i < BacklogEncodingChoice.SAMPLES; i++) {
            choice.record(true, 10_000, 10_000 * 1_000L);
        }
        assertThat(choice.useBacklogEncoding()).as("against the old 300").isFalse();
        choice.record(false, 10_000, 10_000 * 2_000L); // deflate timed now: 2,000
        assertThat(choice.useBacklogEncoding()).isTrue();
    }

    @Test
    void followsALinkThatChanges() {
        run(2, 100, 700); // stored is faster
        assertThat(choice.useBacklogEncoding()).isTrue();
        // the link slows down: each stored batch now takes 5,000 ns per event; the figure follows in three batches
        for (int i = 0; i < BacklogEncodingChoice.SAMPLES - 1; i++) {
            choice.record(true, 10_000, 10_000 * 5_000L);
            assertThat(choice.useBacklogEncoding()).isTrue();
        }
        choice.record(true, 10_000, 10_000 * 5_000L);
        assertThat(choice.useBacklogEncoding()).isFalse(); // 5,000 > 1.5 * 700
        // and speeds up again: the next try of stored (every PROBE_EVERY) finds it fast and keeps it
        List<Boolean> used = run(BacklogEncodingChoice.PROBE_EVERY + 3, 100, 700);
        int firstStored = used.indexOf(true);
        assertThat(firstStored).isBetween(0, BacklogEncodingChoice.PROBE_EVERY - 1);
        assertThat(used.subList(0, firstStored)).containsOnly(false);
        assertThat(used.subList(firstStored, used.size())).containsOnly(true);
    }

    @Test
    void nothingToRecordFromAnEmptyBatchOrABackwardClock() {
        choice.record(true, 0, 1_000);
        choice.record(true, 100, -5);
        assertThat(choice.useBacklogEncoding()).as("still untried").isTrue();
    }
}

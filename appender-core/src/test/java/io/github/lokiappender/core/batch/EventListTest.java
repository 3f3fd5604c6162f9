package io.github.lokiappender.core.batch;

import io.github.lokiappender.core.LokiEvent;
import io.github.lokiappender.core.labels.LabelSet;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventListTest {

    private static final LabelSet A = LabelSet.of(new String[]{"app"}, new String[]{"a"});
    private static final LabelSet B = LabelSet.of(new String[]{"app"}, new String[]{"b"});

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keepsEveryFieldOfManyEventsSharingArraysInFifoOrder() {
        EventList list = new EventList(2); // grows
        byte[] chunk = utf8("alpha|beta_|gamma");
        String[] md = {"trace_id", "42"};
        for (int i = 0; i < 100; i++) {
            list.add(i, chunk, (i % 3) * 6, 5, i % 2 == 0 ? A : B, i % 5 == 0 ? md : null);
        }
        assertThat(list.size()).isEqualTo(100);
        for (int i = 0; i < 100; i++) {
            assertThat(list.timestampNanos(0)).isEqualTo(i);
            assertThat(list.lineBytes(0)).isSameAs(chunk);
            assertThat(list.lineOffset(0)).isEqualTo((i % 3) * 6);
            assertThat(list.lineUtf8Length(0)).isEqualTo(5);
            assertThat(list.labels(0)).isSameAs(i % 2 == 0 ? A : B);
            assertThat(list.metadataCount(0)).isEqualTo(i % 5 == 0 ? 1 : 0);
            if (i % 5 == 0) {
                assertThat(list.metadataName(0, 0)).isEqualTo("trace_id");
                assertThat(list.metadataValue(0, 0)).isEqualTo("42");
                assertThat(list.metadataPairs(0)).isSameAs(md);
            } else {
                assertThat(list.metadataPairs(0)).isEmpty();
            }
            assertThat(list.event(0).line()).isEqualTo(new String[]{"alpha", "beta_", "gamma"}[i % 3]);
            list.removeFirst();
            assertThat(list.size()).isEqualTo(99 - i);
        }
        assertThat(list.isEmpty()).isTrue();
        assertThatThrownBy(list::removeFirst).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void copiesEventsFromAnotherListAndFromStandaloneEvents() {
        EventList from = new EventList();
        from.add(LokiEvent.of(1, "one", A));
        from.add(LokiEvent.of(2, "two", B, new String[]{"k", "v", "empty", ""}));
        from.removeFirst();
        EventList to = new EventList();
        to.addFrom(from, 0);
        assertThat(to.size()).isEqualTo(1);
        LokiEvent e = to.event(0);
        assertThat(e.timestampNanos()).isEqualTo(2);
        assertThat(e.line()).isEqualTo("two");
        assertThat(e.labels()).isSameAs(B);
        assertThat(e.metadataPairs()).containsExactly("k", "v");
    }

    @Test
    void aCutLineGetsItsOwnArrayAndTheSharedOneIsNotWritten() {
        byte[] shared = utf8("xx" + "é".repeat(20) + "yy");
        byte[] before = shared.clone();
        EventList list = new EventList();
        list.add(7, shared, 2, 40, A, null);
        list.add(8, shared, 42, 2, A, null);
        list.truncateLine(0, 20, "...");
        assertThat(list.event(0).line()).isEqualTo("é".repeat(8) + "...");
        assertThat(list.lineUtf8Length(0)).isEqualTo(19);
        assertThat(list.lineBytes(0)).isNotSameAs(shared);
        assertThat(list.event(1).line()).isEqualTo("yy");
        assertThat(list.lineBytes(1)).isSameAs(shared);
        assertThat(shared).isEqualTo(before);
    }

    @Test
    void interleavedStreamsShareTheirLabelTableEntriesAndEveryEventKeepsItsOwnLabels() {
        EventList list = new EventList();
        byte[] line = utf8("x");
        // a WARN stream among INFO lines: two entries however often they switch
        for (int i = 0; i < 1000; i++) {
            list.add(i, line, 0, 1, i % 16 == 3 ? B : A, null);
        }
        assertThat(list.labelSetEntries()).isEqualTo(2);
        // twenty label sets in turn: more than the entries searched, so some are added again
        LabelSet[] many = new LabelSet[20];
        for (int j = 0; j < many.length; j++) {
            many[j] = LabelSet.of(new String[]{"app"}, new String[]{"s" + j});
        }
        for (int i = 0; i < 200; i++) {
            list.add(1000 + i, line, 0, 1, many[i % 20], null);
        }
        assertThat(list.labelSetEntries()).isEqualTo(2 + 200);
        // eight in turn are all found among the last eight entries; nine in turn never are
        EventList eight = new EventList();
        EventList nine = new EventList();
        for (int i = 0; i < 90; i++) {
            eight.add(i, line, 0, 1, many[i % 8], null);
            nine.add(i, line, 0, 1, many[i % 9], null);
        }
        assertThat(eight.labelSetEntries()).isEqualTo(8);
        assertThat(nine.labelSetEntries()).isEqualTo(90);
        for (int i = 0; i < 1200; i++) {
            assertThat(list.labels(0)).isSameAs(i < 1000 ? (i % 16 == 3 ? B : A) : many[(i - 1000) % 20]);
            list.removeFirst();
        }
        for (int i = 0; i < 90; i++) {
            assertThat(eight.labels(i)).isSameAs(many[i % 8]);
            assertThat(nine.labels(i)).isSameAs(many[i % 9]);
        }
    }

    @Test
    void clearForgetsEverythingAndTheListIsReusable() {
        EventList list = new EventList();
        list.add(LokiEvent.of(1, "a", A, new String[]{"k", "v"}));
        list.add(LokiEvent.of(2, "b", B));
        list.clear();
        assertThat(list.isEmpty()).isTrue();
        list.add(LokiEvent.of(3, "c", B));
        assertThat(list.size()).isEqualTo(1);
        assertThat(list.event(0).line()).isEqualTo("c");
        assertThat(list.labels(0)).isSameAs(B);
        assertThat(list.metadataCount(0)).isZero();
    }
}

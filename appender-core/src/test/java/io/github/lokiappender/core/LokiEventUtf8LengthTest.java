package io.github.lokiappender.core;

import io.github.lokiappender.core.labels.LabelSet;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LokiEventUtf8LengthTest {

    private static final LabelSet A = LabelSet.of(new String[]{"a"}, new String[]{"b"});

    @Test
    void countsUtf8BytesWithLoneSurrogatesAsReplacementCharacters() {
        assertThat(LokiEvent.of(1, "", A).lineUtf8Length()).isEqualTo(0);
        assertThat(LokiEvent.of(1, "plain", A).lineUtf8Length()).isEqualTo(5);
        // é = 2, 日 = 3, 😀 = 4 (a pair), lone high surrogate = 3 (U+FFFD)
        assertThat(LokiEvent.of(1, "é日😀\uD800", A).lineUtf8Length()).isEqualTo(12);
    }

    @Test
    void aCopyWithAnotherLineHasThatLinesLength() {
        LokiEvent e = LokiEvent.of(1, "日本", A);
        assertThat(e.lineUtf8Length()).isEqualTo(6);
        assertThat(e.withLine("ab").lineUtf8Length()).isEqualTo(2);
        assertThat(e.lineUtf8Length()).isEqualTo(6);
    }
}

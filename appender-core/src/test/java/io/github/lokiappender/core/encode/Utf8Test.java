package io.github.lokiappender.core.encode;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class Utf8Test {

    @Test
    void lengthMatchesJdkEncoderForValidText() {
        for (String s : new String[]{"", "abc", "é", "日本語", "😀x", "tab\tnul\0", "ÿ\u07ff\u0800\uffff"}) {
            assertThat(Utf8.length(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void loneSurrogatesCountAsReplacementCharacter() {
        assertThat(Utf8.length("a\uD800")).isEqualTo(4);
        assertThat(Utf8.length("\uDC00\uD800")).isEqualTo(6);
        assertThat(Utf8.hasLoneSurrogate("😀")).isFalse();
        assertThat(Utf8.hasLoneSurrogate("\uD83D")).isTrue();
        assertThat(Utf8.hasLoneSurrogate("\uDE00x")).isTrue();
        assertThat(Utf8.replaceLoneSurrogates("a\uD800b\uDC00😀")).isEqualTo("a\uFFFDb\uFFFD😀");
        String clean = "clean";
        assertThat(Utf8.replaceLoneSurrogates(clean)).isSameAs(clean);
    }

    @Test
    void truncateNeverSplitsCharacters() {
        assertThat(Utf8.truncate("abcdef", 4)).isEqualTo("abcd");
        assertThat(Utf8.truncate("aé", 2)).isEqualTo("a");
        assertThat(Utf8.truncate("a😀", 4)).isEqualTo("a");
        assertThat(Utf8.truncate("a😀", 5)).isEqualTo("a😀");
        String fits = "short";
        assertThat(Utf8.truncate(fits, 100)).isSameAs(fits);
    }
}

package io.github.lokiappender.core.encode;

import org.junit.jupiter.api.Test;

import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class Utf8ScratchTest {

    private final Utf8Scratch scratch = new Utf8Scratch();

    private byte[] encoded(CharSequence s) {
        int n = scratch.encode(s);
        byte[] out = Arrays.copyOf(scratch.bytes(), n);
        scratch.release();
        return out;
    }

    /** Each text as a String, a StringBuilder and another CharSequence, at lengths around the kept arrays' sizes. */
    private static List<CharSequence> shapes(String s) {
        return List.of(s, new StringBuilder(s), CharBuffer.wrap(s));
    }

    @Test
    void encodesLikeTheJdkWhateverTheCharactersAndTheirPlace() {
        List<String> texts = new ArrayList<>(List.of("", "a", "plain ascii line", "é", "café au lait", "ÿ at the end ÿ",
                "日本語のログ", "mixed é 日 😀 end", "\u007f\u0080\u07ff\u0800\uffff", "😀"));
        for (int len : new int[]{255, 256, 257, 1_000, Utf8Scratch.MAX_KEPT_CHARS, Utf8Scratch.MAX_KEPT_CHARS + 1, 40_000}) {
            String ascii = "x".repeat(len);
            texts.add(ascii);
            texts.add("é" + ascii.substring(1)); // not ASCII at the first char
            texts.add(ascii.substring(1) + "日"); // at the last
            texts.add(ascii.substring(0, len / 2) + "😀" + ascii.substring(len / 2 + 2)); // a pair in the middle
        }
        for (String t : texts) {
            for (CharSequence s : shapes(t)) {
                assertThat(encoded(s)).as("%s of %d chars", s.getClass().getSimpleName(), t.length())
                        .isEqualTo(t.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void loneSurrogatesBecomeTheReplacementCharacter() {
        for (CharSequence s : shapes("a\uD800b\uDC00c\uD83D")) {
            assertThat(encoded(s)).isEqualTo("a\uFFFDb\uFFFDc\uFFFD".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void keepsItsArraysUpToTheLimitAndForgetsLarger() {
        scratch.encode("x".repeat(1_000)); // grows past the first 256
        byte[] kept = scratch.bytes();
        scratch.release();
        scratch.encode("short");
        assertThat(scratch.bytes()).isSameAs(kept);
        scratch.release();

        scratch.encode("x".repeat(Utf8Scratch.MAX_KEPT_CHARS * 2));
        byte[] large = scratch.bytes();
        assertThat(large.length).isGreaterThan(Utf8Scratch.MAX_KEPT_CHARS);
        scratch.release();
        assertThat(scratch.bytes()).as("released").isNull();
        scratch.encode("short");
        assertThat(scratch.bytes()).isSameAs(kept);
    }

    @Test
    void stateOfJdkArraysWorksTheSameWay() {
        Object[] state = Utf8Scratch.newState();
        assertThat(state).allSatisfy(o -> assertThat(o == null || o.getClass().getClassLoader() == null).isTrue());
        int n = Utf8Scratch.encode(new StringBuilder("é 日 😀"), state);
        assertThat(Arrays.copyOf(Utf8Scratch.bytes(state), n)).isEqualTo("é 日 😀".getBytes(StandardCharsets.UTF_8));
        Utf8Scratch.release(state);
        assertThat(Utf8Scratch.bytes(state)).isNull();
    }
}

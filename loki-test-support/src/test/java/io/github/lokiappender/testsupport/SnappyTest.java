package io.github.lokiappender.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SnappyTest {

    /** Hand-assembled: literal, copy-1 (overlapping), literal, copy-2, copy-4, copy-1 run of length 5. */
    static final byte[] FIXTURE = HexFormat.of().parseHex("1c0c616263641104045859160e000b0700000005" + "01");

    @Test
    void decodesFixtureWithEveryCopyTag() {
        assertThat(new String(Snappy.uncompress(FIXTURE), StandardCharsets.US_ASCII))
                .isEqualTo("abcdabcdabcdXYabcdabYabbbbbb");
    }

    @Test
    void decodesLiteralOnlyEncodingOfEverySizeClass() {
        Random random = new Random(42);
        for (int size : new int[] {0, 1, 59, 60, 61, 255, 256, 257, 65535, 65536, 65537, 200_000}) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            assertThat(Snappy.uncompress(TestSnappy.literalOnly(data))).as("size %d", size).isEqualTo(data);
        }
    }

    @Test
    void decodesCopyWithOneByteOffsetAbove255AndLongLiteralLengths() {
        byte[] prefix = new byte[300];
        Arrays.fill(prefix, (byte) 'p');
        prefix[0] = 'A';
        prefix[1] = 'B';
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TestSnappy.writeVarint(out, 304);
        TestSnappy.literalTag(out, 300); // tag 61: two length bytes
        out.write(prefix, 0, 300);
        out.write(0x21); // copy-1, length 4, offset high bits 1
        out.write(0x2C); // offset low byte: 256 + 44 = 300
        byte[] decoded = Snappy.uncompress(out.toByteArray());
        assertThat(decoded).hasSize(304);
        assertThat(new String(decoded, 300, 4, StandardCharsets.US_ASCII)).isEqualTo("ABpp");
    }

    @Test
    void rejectsCopyBeforeStartOfOutput() {
        // Declares 8 bytes, literal "ab", then a copy-2 with offset 3 > 2 bytes produced.
        byte[] bad = HexFormat.of().parseHex("0804616216" + "0300");
        assertThatThrownBy(() -> Snappy.uncompress(bad))
                .isInstanceOf(Snappy.CorruptInputException.class)
                .hasMessageContaining("copy offset 3 outside the 2 bytes produced so far");
    }

    @Test
    void rejectsZeroOffset() {
        assertThatThrownBy(() -> Snappy.uncompress(HexFormat.of().parseHex("0804616201" + "00")))
                .isInstanceOf(Snappy.CorruptInputException.class)
                .hasMessageContaining("copy offset 0");
    }

    @Test
    void rejectsLengthMismatchTruncationAndOverflow() {
        // declared 5, produced 2
        assertThatThrownBy(() -> Snappy.uncompress(HexFormat.of().parseHex("05046162")))
                .hasMessageContaining("produced 2 bytes but the preamble declared 5");
        // literal says 3 bytes but only 2 follow
        assertThatThrownBy(() -> Snappy.uncompress(HexFormat.of().parseHex("03086162")))
                .hasMessageContaining("runs past the end of input");
        // literal longer than declared output
        assertThatThrownBy(() -> Snappy.uncompress(HexFormat.of().parseHex("0108616263")))
                .hasMessageContaining("overflows the declared length 1");
        // copy-2 tag with its offset cut off
        assertThatThrownBy(() -> Snappy.uncompress(HexFormat.of().parseHex("0804616216")))
                .hasMessageContaining("truncated 2-byte-offset copy");
        // empty input, unterminated varint preamble
        assertThatThrownBy(() -> Snappy.uncompress(new byte[0])).hasMessageContaining("truncated length preamble");
        assertThatThrownBy(() -> Snappy.uncompress(new byte[] {(byte) 0x80})).hasMessageContaining("truncated");
    }

    @Test
    void rejectsImpossibleDeclaredLengthWithoutAllocating() {
        // 0xFFFFFFFF declared for one byte of data: must fail fast, not allocate 4 GB.
        assertThatThrownBy(() -> Snappy.uncompress(HexFormat.of().parseHex("ffffffff0f00")))
                .isInstanceOf(Snappy.CorruptInputException.class)
                .hasMessageContaining("exceeds limit");
        assertThatThrownBy(() -> Snappy.uncompress(HexFormat.of().parseHex("e807" + "0061")))
                .hasMessageContaining("is impossible for 2 bytes");
        assertThatThrownBy(() -> Snappy.uncompress(HexFormat.of().parseHex("ffffffff1f")))
                .hasMessageContaining("exceeds 32 bits");
    }
}

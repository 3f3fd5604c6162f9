package io.github.lokiappender.core.encode;

import io.github.lokiappender.testsupport.Snappy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Round trips through the stand-in's independent Snappy decoder. */
class SnappyBlockCompressorTest {

    private final SnappyBlockCompressor snappy = new SnappyBlockCompressor();

    private static byte[] logText(int size) {
        Random r = new Random(3);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < size) {
            sb.append("2025-11-24 10:15:32.").append(r.nextInt(1000)).append(" INFO [http-nio-8080-exec-")
                    .append(r.nextInt(20)).append("] c.e.shop.OrderService : Order ").append(r.nextInt(100_000))
                    .append(" placed total=").append(r.nextInt(500)).append(" EUR\n");
        }
        return Arrays.copyOf(sb.toString().getBytes(StandardCharsets.UTF_8), size);
    }

    private byte[] roundTrip(byte[] in, int off, int len) {
        ByteSink out = snappy.compress(in, off, len);
        return Snappy.uncompress(out.array(), 0, out.size());
    }

    @Test
    void logTextRoundTripsAndShrinks() {
        byte[] text = logText(1 << 20);
        ByteSink out = snappy.compress(text, 0, text.length);
        assertThat(out.size()).isLessThan(text.length / 3);
        assertThat(Snappy.uncompress(out.array(), 0, out.size())).isEqualTo(text);
    }

    @Test
    void edgeSizesAndIncompressibleDataRoundTrip() {
        Random r = new Random(5);
        for (int size : new int[]{0, 1, 2, 15, 16, 17, 60, 61, 65_535, 65_536, 65_537, 300_000}) {
            byte[] random = new byte[size];
            r.nextBytes(random);
            assertThat(roundTrip(random, 0, size)).as("random %d", size).isEqualTo(random);
            byte[] text = logText(size);
            assertThat(roundTrip(text, 0, size)).as("text %d", size).isEqualTo(text);
        }
    }

    @Test
    void honoursOffsetAndReusesTheOutputBetweenCalls() {
        byte[] big = logText(200_000);
        byte[] small = "hello hello hello hello".getBytes(StandardCharsets.UTF_8);
        byte[] framed = new byte[small.length + 10];
        System.arraycopy(small, 0, framed, 7, small.length);
        assertThat(roundTrip(big, 0, big.length)).isEqualTo(big);
        byte[] firstArray = snappy.compress(big, 0, big.length).array();
        ByteSink out = snappy.compress(framed, 7, small.length);
        assertThat(out.array()).isSameAs(firstArray);
        assertThat(Snappy.uncompress(out.array(), 0, out.size())).isEqualTo(small);
    }

    @Test
    void literalFallbackWritesValidUncompressedSnappy() {
        ByteSink out = snappy.writeLiterals("abc".getBytes(StandardCharsets.US_ASCII), 0, 3);
        // preamble 3, literal tag (3-1)<<2, the bytes
        assertThat(HexFormat.of().formatHex(out.toByteArray())).isEqualTo("03" + "08" + "616263");

        Random r = new Random(9);
        for (int size : new int[]{0, 1, 60, 61, 256, 257, 65_536, 65_537, 200_000}) {
            byte[] in = new byte[size + 4];
            r.nextBytes(in);
            ByteSink s = snappy.writeLiterals(in, 4, size);
            assertThat(Snappy.uncompress(s.array(), 0, s.size())).as("size %d", size)
                    .isEqualTo(Arrays.copyOfRange(in, 4, 4 + size));
        }
    }

    @Test
    void literalFallbackUsesTheShortestLengthForms() {
        byte[] in = new byte[300];
        assertThat(Arrays.copyOf(snappy.writeLiterals(in, 0, 61).array(), 3)).containsExactly(61, 60 << 2, 60);
        assertThat(Arrays.copyOf(snappy.writeLiterals(in, 0, 300).array(), 5))
                .containsExactly(0xAC, 0x02, 61 << 2, 0x2B, 0x01); // varint 300; length-1 = 299 = 0x012B
    }
}

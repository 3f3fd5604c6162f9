package io.github.lokiappender.core.encode;

import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.github.lokiappender.testsupport.Snappy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The library's own Snappy compressor: exact bytes for inputs small enough to work out by hand from
 * the format, and round trips through two independent decoders (the stand-in's and aircompressor's)
 * for everything else.
 */
class SnappyBlockCompressorTest {

    private final SnappyBlockCompressor snappy = new SnappyBlockCompressor();

    private static byte[] logText(int size, long seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < size) {
            sb.append("2025-11-24 10:15:32.").append(r.nextInt(1000)).append(" INFO [http-nio-8080-exec-")
                    .append(r.nextInt(20)).append("] c.e.shop.OrderService : Order ").append(r.nextInt(100_000))
                    .append(" placed total=").append(r.nextInt(500)).append(" EUR\n");
        }
        return Arrays.copyOf(sb.toString().getBytes(StandardCharsets.UTF_8), size);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private String hex(byte[] in) {
        return HexFormat.of().formatHex(snappy.compress(in, 0, in.length).toByteArray());
    }

    /** Compresses, checks both decoders give the input back, and returns the compressed size. */
    private int roundTrip(byte[] in, int off, int len, String what) {
        byte[] expected = Arrays.copyOfRange(in, off, off + len);
        ByteSink out = snappy.compress(in, off, len);
        assertThat(out.size()).as(what).isLessThanOrEqualTo(SnappyBlockCompressor.maxCompressedLength(len));
        assertThat(Snappy.uncompress(out.array(), 0, out.size())).as(what + " (stand-in)").isEqualTo(expected);
        byte[] back = new byte[len + 1];
        int n = new SnappyDecompressor().decompress(out.array(), 0, out.size(), back, 0, back.length);
        assertThat(Arrays.copyOf(back, n)).as(what + " (aircompressor)").isEqualTo(expected);
        return out.size();
    }

    @Test
    void smallInputsAreTheBytesTheFormatPrescribes() {
        // below 16 bytes no match is looked for: preamble, one literal
        assertThat(hex(new byte[0])).isEqualTo("00");
        assertThat(hex(ascii("abc"))).isEqualTo("03" + "08" + "616263");
        // a literal of 8, a 7-byte copy 8 back in the two-byte form (len-4 in bits 2-4), a tail literal of 20
        assertThat(hex(ascii("abcdefgh" + "abcdefg" + "0123456789ABCDEFGHIJ"))).isEqualTo("23"
                + "1c" + "6162636465666768"
                + "0d08"
                + "4c" + HexFormat.of().formatHex(ascii("0123456789ABCDEFGHIJ")));
        // 16 bytes copied 4 back: longer than 11, so the three-byte form (len-1 in bits 2-7, distance LE)
        assertThat(hex(ascii("abcdabcdabcdabcdabcd"))).isEqualTo("14" + "0c61626364" + "3e0400");
    }

    @Test
    void aRepeatIsCopiedFromFiveBytesOnFourStayLiteral() {
        // "abcd" seen 5 back: too short to look for, the whole input is one literal of 30
        assertThat(hex(ascii("abcdX" + "abcdY" + "0123456789ABCDEFGHIJ"))).isEqualTo("1e"
                + "74" + HexFormat.of().formatHex(ascii("abcdXabcdY0123456789ABCDEFGHIJ")));
        // "abcde" seen 6 back: a literal of 6, a 5-byte copy 6 back (two-byte form), a tail literal of 21
        assertThat(hex(ascii("abcdeX" + "abcdeY" + "0123456789ABCDEFGHIJ"))).isEqualTo("20"
                + "14" + HexFormat.of().formatHex(ascii("abcdeX"))
                + "0506"
                + "50" + HexFormat.of().formatHex(ascii("Y0123456789ABCDEFGHIJ")));
    }

    @Test
    void longCopiesAreSplitIntoPiecesOfAtMost64KeepingAtLeast4ForTheLast() {
        // 1000 zeros: one literal zero, then 999 bytes copied 1 back = 15 x 64 + 39
        String expected = "e807" + "0000" + "fe0100".repeat(15) + "9a0100";
        assertThat(hex(new byte[1000])).isEqualTo(expected);
        // 67 zeros: 66 to copy is more than 64 but less than 68: 60, then 6 in the two-byte form
        assertThat(hex(new byte[67])).isEqualTo("43" + "0000" + "ee0100" + "0901");
        // 69 zeros: 68 to copy is 64 and the shortest copy, 4
        assertThat(hex(new byte[69])).isEqualTo("45" + "0000" + "fe0100" + "0101");
        roundTrip(new byte[1000], 0, 1000, "zeros");
    }

    @Test
    void copiesUseTheTwoByteFormOnlyBelow2048Back() {
        String tail = "0123456789ABCDEFGHIJ";
        for (int distance : new int[]{2047, 2048, 65_000}) {
            // "abcdefgh", zeros up to `distance`, "abcdefg" again (a 7-byte copy `distance` back), a literal tail
            byte[] in = new byte[distance + 7 + tail.length()];
            System.arraycopy(ascii("abcdefgh"), 0, in, 0, 8);
            System.arraycopy(ascii("abcdefg"), 0, in, distance, 7);
            System.arraycopy(ascii(tail), 0, in, distance + 7, tail.length());
            String copy = distance < 2048
                    ? String.format("%02x%02x", 1 | 3 << 2 | (distance >>> 8) << 5, distance & 0xFF)
                    : String.format("%02x%02x%02x", 2 | 6 << 2, distance & 0xFF, distance >>> 8);
            assertThat(hex(in)).as("distance %d", distance)
                    .endsWith(copy + "4c" + HexFormat.of().formatHex(ascii(tail)));
            roundTrip(in, 0, in.length, "distance " + distance);
        }
    }

    @Test
    void logTextShrinksAtLeastAsMuchAsWithAircompressor() {
        byte[] text = logText(1 << 20, 3);
        int ours = roundTrip(text, 0, text.length, "1 MiB of log text");
        SnappyCompressor reference = new SnappyCompressor();
        byte[] out = new byte[reference.maxCompressedLength(text.length)];
        int theirs = reference.compress(text, 0, text.length, out, 0, out.length);
        // copies from 5 bytes (not 4) and one table entry per copy left out: 4.6% smaller here (177,783
        // bytes against 186,289): chance 4-byte matches in the numbers cost more than they save
        assertThat(ours).isLessThan(text.length / 3).isLessThanOrEqualTo(theirs);
    }

    @Test
    void edgeSizesAroundTheMarginAndTheBlocksRoundTrip() {
        Random r = new Random(5);
        int block = SnappyBlockCompressor.BLOCK_SIZE;
        for (int size : new int[]{0, 1, 2, 15, 16, 17, 60, 61, 62, 255, 256, 257, block - 16, block - 1, block,
                block + 1, block + 15, block + 16, 2 * block, 300_000}) {
            byte[] random = new byte[size];
            r.nextBytes(random);
            roundTrip(random, 0, size, "random " + size);
            roundTrip(logText(size, size), 0, size, "text " + size);
            roundTrip(new byte[size], 0, size, "zeros " + size);
        }
    }

    @Test
    void mixedRandomInputsRoundTrip() {
        // pieces of text, random bytes and repeats of earlier pieces at random distances
        Random r = new Random(17);
        for (int n = 0; n < 200; n++) {
            int size = r.nextInt(n < 150 ? 4_000 : 200_000);
            byte[] in = new byte[size + 7];
            int p = 3;
            while (p < size + 3) {
                int len = Math.min(size + 3 - p, 1 + r.nextInt(r.nextBoolean() ? 12 : 300));
                int kind = r.nextInt(3);
                if (kind == 0 || p - 3 < len) {
                    for (int i = 0; i < len; i++) {
                        in[p + i] = (byte) r.nextInt(kind == 0 ? 256 : 4);
                    }
                } else {
                    int from = 3 + r.nextInt(p - 3 - len + 1);
                    System.arraycopy(in, from, in, p, len);
                }
                p += len;
            }
            roundTrip(in, 3, size, "input " + n + " of " + size + " bytes");
        }
    }

    @Test
    void incompressibleInputGrowsByLessThanTheBound() {
        byte[] random = new byte[1 << 20];
        new Random(23).nextBytes(random);
        int size = roundTrip(random, 0, random.length, "random MiB");
        // one length form per block's tail literal and the preamble: 16 blocks x 3 bytes + 3
        assertThat(size).isEqualTo(random.length + 16 * 3 + 3);
    }

    @Test
    void honoursOffsetAndReusesTheOutputBetweenCalls() {
        byte[] big = logText(200_000, 7);
        byte[] small = ascii("hello hello hello hello");
        byte[] framed = new byte[small.length + 10];
        System.arraycopy(small, 0, framed, 7, small.length);
        roundTrip(big, 0, big.length, "big");
        byte[] firstArray = snappy.compress(big, 0, big.length).array();
        ByteSink out = snappy.compress(framed, 7, small.length);
        assertThat(out.array()).isSameAs(firstArray);
        assertThat(Snappy.uncompress(out.array(), 0, out.size())).isEqualTo(small);
        // the same input gives the same bytes, whatever the kept table held before
        byte[] again = snappy.compress(big, 0, big.length).toByteArray();
        assertThat(new SnappyBlockCompressor().compress(big, 0, big.length).toByteArray()).isEqualTo(again);
    }

    @Test
    void noClassOfTheLibraryReferencesUnsafe() throws Exception {
        // JDK 24+ warns about sun.misc.Unsafe's memory access, a later JDK removes it
        Path classes = Path.of(SnappyBlockCompressor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        byte[] unsafe = ascii("sun/misc/Unsafe");
        List<Path> files;
        try (Stream<Path> s = Files.walk(classes)) {
            files = s.filter(f -> f.toString().endsWith(".class")).collect(Collectors.toList());
        }
        assertThat(files).hasSizeGreaterThan(50).contains(classes.resolve(
                "io/github/lokiappender/core/encode/SnappyBlockCompressor.class"));
        for (Path f : files) {
            byte[] b = Files.readAllBytes(f);
            assertThat(Collections.indexOfSubList(asList(b), asList(unsafe))).as("%s", f).isEqualTo(-1);
        }
    }

    private static List<Byte> asList(byte[] b) {
        List<Byte> l = new ArrayList<>(b.length);
        for (byte x : b) {
            l.add(x);
        }
        return l;
    }

    @Test
    void aRangeOutsideTheArrayIsRefused() {
        assertThatThrownBy(() -> snappy.compress(new byte[10], 5, 6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> snappy.compress(new byte[10], -1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}

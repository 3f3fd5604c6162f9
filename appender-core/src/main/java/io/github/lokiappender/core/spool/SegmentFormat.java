package io.github.lokiappender.core.spool;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The layout of a spool record. A segment file is a sequence of records, appended one after the
 * other, with nothing before the first:
 *
 * <pre>
 *   magic           4 bytes  "LKS1"
 *   version         1 byte   1
 *   flags           1 byte   0 (reserved)
 *   event count     4 bytes  big-endian, &gt; 0
 *   payload length  4 bytes  big-endian
 *   content type    1 byte length + that many bytes (ASCII)
 *   content enc.    1 byte length + that many bytes (0: none)
 *   header CRC32C   4 bytes  over version .. content encoding
 *   payload         payload length bytes: the request body as sent to Loki
 *   payload CRC32C  4 bytes
 * </pre>
 *
 * The header has its own checksum so that a damaged length is never trusted: a reader that finds
 * a bad magic, a bad checksum or the file ending early stops reading that file.
 */
final class SegmentFormat {

    static final int MAGIC = 0x4C4B5331; // "LKS1"
    static final byte VERSION = 1;
    /** Magic, version, flags, event count, payload length. */
    private static final int FIXED = 4 + 1 + 1 + 4 + 4;
    /** The largest header: two strings of 255 bytes. */
    static final int MAX_HEADER = FIXED + 1 + 255 + 1 + 255 + 4;
    /** No request Loki accepts is near this; a larger length is damage. */
    static final int MAX_PAYLOAD = 64 * 1024 * 1024;

    private SegmentFormat() {
    }

    /** The header of a record; {@code out} needs {@link #MAX_HEADER} bytes. Returns the header length. */
    static int writeHeader(byte[] out, int events, int payloadLength, String contentType, String contentEncoding) {
        byte[] ct = ascii(contentType);
        byte[] ce = contentEncoding == null ? new byte[0] : ascii(contentEncoding);
        int p = putInt(out, 0, MAGIC);
        out[p++] = VERSION;
        out[p++] = 0;
        p = putInt(out, p, events);
        p = putInt(out, p, payloadLength);
        out[p++] = (byte) ct.length;
        System.arraycopy(ct, 0, out, p, ct.length);
        p += ct.length;
        out[p++] = (byte) ce.length;
        System.arraycopy(ce, 0, out, p, ce.length);
        p += ce.length;
        CRC32C crc = new CRC32C();
        crc.update(out, 4, p - 4);
        return putInt(out, p, (int) crc.getValue());
    }

    /** Bytes a record with this payload and these header strings takes on disk. */
    static long recordLength(int payloadLength, String contentType, String contentEncoding) {
        return FIXED + 1L + ascii(contentType).length + 1 + (contentEncoding == null ? 0 : ascii(contentEncoding).length)
                + 4 + payloadLength + 4;
    }

    static int crc(byte[] b, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(b, off, len);
        return (int) crc.getValue();
    }

    private static byte[] ascii(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        if (b.length > 255) {
            throw new IllegalArgumentException("header value longer than 255 bytes: " + s);
        }
        return b;
    }

    static int putInt(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 24);
        b[p + 1] = (byte) (v >>> 16);
        b[p + 2] = (byte) (v >>> 8);
        b[p + 3] = (byte) v;
        return p + 4;
    }

    static int getInt(byte[] b, int p) {
        return ((b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }

    /** What reading at an offset found. */
    enum Status {
        /** A whole, valid record. */
        OK,
        /** The end: no bytes left. */
        END,
        /** The file ends inside a record. */
        TRUNCATED,
        /** Bad magic, bad header checksum, impossible header values, or bad payload checksum. */
        CORRUPT
    }

    /** The outcome of {@link #read}. */
    static final class Result {
        final Status status;
        /** The record when OK. */
        final SpoolRecord record;
        /** Events the record's header names, when the header was intact; else 0. */
        final int events;
        /** What was wrong, for the status message. */
        final String problem;

        Result(Status status, SpoolRecord record, int events, String problem) {
            this.status = status;
            this.record = record;
            this.events = events;
            this.problem = problem;
        }
    }

    /**
     * Reads the record at {@code offset}, trusting nothing past {@code end}.
     *
     * @throws IOException only when the file cannot be read (not for damage, which is a result)
     */
    static Result read(RandomAccessFile file, long offset, long end, boolean recovered) throws IOException {
        long left = end - offset;
        if (left <= 0) {
            return new Result(Status.END, null, 0, null);
        }
        byte[] h = new byte[(int) Math.min(MAX_HEADER, left)];
        file.seek(offset);
        readFully(file, h, h.length);
        if (h.length < 4) {
            return new Result(Status.TRUNCATED, null, 0, "ends inside a record header at byte " + offset);
        }
        if (getInt(h, 0) != MAGIC) {
            return new Result(Status.CORRUPT, null, 0, "no record marker at byte " + offset);
        }
        if (h.length < FIXED + 1) {
            return new Result(Status.TRUNCATED, null, 0, "ends inside a record header at byte " + offset);
        }
        int ctLen = h[FIXED] & 0xFF;
        int cePos = FIXED + 1 + ctLen;
        if (h.length < cePos + 1 || h.length < cePos + 1 + (h[cePos] & 0xFF) + 4) {
            return new Result(Status.TRUNCATED, null, 0, "ends inside a record header at byte " + offset);
        }
        int ceLen = h[cePos] & 0xFF;
        int crcPos = cePos + 1 + ceLen;
        if (crc(h, 4, crcPos - 4) != getInt(h, crcPos)) {
            return new Result(Status.CORRUPT, null, 0, "record header checksum mismatch at byte " + offset);
        }
        int events = getInt(h, 6);
        int length = getInt(h, 10);
        if (h[4] != VERSION || events <= 0 || length < 0 || length > MAX_PAYLOAD) {
            return new Result(Status.CORRUPT, null, 0, "unsupported record (version " + h[4] + ", " + events
                    + " events, " + length + " bytes) at byte " + offset);
        }
        long payloadAt = offset + crcPos + 4;
        if (end - payloadAt < length + 4L) {
            return new Result(Status.TRUNCATED, null, events, "ends inside the record at byte " + offset
                    + " (" + events + " events)");
        }
        byte[] body = new byte[length];
        file.seek(payloadAt);
        readFully(file, body, length);
        byte[] c = new byte[4];
        readFully(file, c, 4);
        if (crc(body, 0, length) != getInt(c, 0)) {
            return new Result(Status.CORRUPT, null, events, "record payload checksum mismatch at byte " + offset
                    + " (" + events + " events)");
        }
        String ct = new String(h, FIXED + 1, ctLen, StandardCharsets.US_ASCII);
        String ce = ceLen == 0 ? null : new String(h, cePos + 1, ceLen, StandardCharsets.US_ASCII);
        return new Result(Status.OK, new SpoolRecord(body, ct, ce, events, recovered, payloadAt + length + 4), events, null);
    }

    private static void readFully(RandomAccessFile f, byte[] b, int len) throws IOException {
        try {
            f.readFully(b, 0, len);
        } catch (EOFException e) {
            // the file shrank under us: report it as the I/O problem it is
            throw new IOException("file is shorter than expected", e);
        }
    }
}

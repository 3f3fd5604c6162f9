package io.github.lokiappender.core.encode;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TimestampProto;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label.LABEL_OPTIONAL;
import static com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label.LABEL_REPEATED;
import static com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_MESSAGE;
import static com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type.TYPE_STRING;

/**
 * Loki's push messages ({@code logproto}, proto3) described to the protobuf-java runtime, which
 * then parses and serialises them independently of the encoder under test.
 */
final class PushRequestProto {

    static final Descriptor PUSH_REQUEST;
    static final Descriptor STREAM;
    static final Descriptor ENTRY;
    static final Descriptor LABEL_PAIR;
    static final Descriptor TIMESTAMP = com.google.protobuf.Timestamp.getDescriptor();

    static {
        FileDescriptorProto file = FileDescriptorProto.newBuilder()
                .setName("push.proto").setPackage("logproto").setSyntax("proto3")
                .addDependency("google/protobuf/timestamp.proto")
                .addMessageType(message("PushRequest", field("streams", 1, LABEL_REPEATED, ".logproto.StreamAdapter")))
                .addMessageType(message("StreamAdapter", field("labels", 1, LABEL_OPTIONAL, null),
                        field("entries", 2, LABEL_REPEATED, ".logproto.EntryAdapter")))
                .addMessageType(message("EntryAdapter", field("timestamp", 1, LABEL_OPTIONAL, ".google.protobuf.Timestamp"),
                        field("line", 2, LABEL_OPTIONAL, null),
                        field("structuredMetadata", 3, LABEL_REPEATED, ".logproto.LabelPairAdapter")))
                .addMessageType(message("LabelPairAdapter", field("name", 1, LABEL_OPTIONAL, null),
                        field("value", 2, LABEL_OPTIONAL, null)))
                .build();
        try {
            FileDescriptor fd = FileDescriptor.buildFrom(file, new FileDescriptor[]{TimestampProto.getDescriptor()});
            PUSH_REQUEST = fd.findMessageTypeByName("PushRequest");
            STREAM = fd.findMessageTypeByName("StreamAdapter");
            ENTRY = fd.findMessageTypeByName("EntryAdapter");
            LABEL_PAIR = fd.findMessageTypeByName("LabelPairAdapter");
        } catch (DescriptorValidationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private PushRequestProto() {
    }

    private static DescriptorProto message(String name, FieldDescriptorProto... fields) {
        DescriptorProto.Builder b = DescriptorProto.newBuilder().setName(name);
        for (FieldDescriptorProto f : fields) {
            b.addField(f);
        }
        return b.build();
    }

    /** A string field when {@code messageType} is null, else a message field. */
    private static FieldDescriptorProto field(String name, int number, FieldDescriptorProto.Label label, String messageType) {
        FieldDescriptorProto.Builder b = FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setLabel(label);
        if (messageType == null) {
            b.setType(TYPE_STRING);
        } else {
            b.setType(TYPE_MESSAGE).setTypeName(messageType);
        }
        return b.build();
    }

    /** One decoded entry. */
    static final class Entry {
        final String labels;
        final long seconds;
        final int nanos;
        final String line;
        final Map<String, String> metadata;

        Entry(String labels, long seconds, int nanos, String line, Map<String, String> metadata) {
            this.labels = labels;
            this.seconds = seconds;
            this.nanos = nanos;
            this.line = line;
            this.metadata = metadata;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Entry)) {
                return false;
            }
            Entry e = (Entry) o;
            return labels.equals(e.labels) && seconds == e.seconds && nanos == e.nanos && line.equals(e.line)
                    && metadata.equals(e.metadata);
        }

        @Override
        public int hashCode() {
            return line.hashCode();
        }

        @Override
        public String toString() {
            return labels + " " + seconds + "." + nanos + " " + line + " " + metadata;
        }
    }

    static DynamicMessage parse(byte[] bytes) throws InvalidProtocolBufferException {
        return DynamicMessage.parseFrom(PUSH_REQUEST, bytes);
    }

    /** Every entry of a parsed request, in stream order then entry order. */
    @SuppressWarnings("unchecked")
    static List<Entry> entries(DynamicMessage request) {
        List<Entry> out = new ArrayList<>();
        for (Object so : (List<Object>) request.getField(PUSH_REQUEST.findFieldByNumber(1))) {
            DynamicMessage s = (DynamicMessage) so;
            String labels = (String) s.getField(STREAM.findFieldByNumber(1));
            for (Object eo : (List<Object>) s.getField(STREAM.findFieldByNumber(2))) {
                DynamicMessage e = (DynamicMessage) eo;
                DynamicMessage ts = (DynamicMessage) e.getField(ENTRY.findFieldByNumber(1));
                Map<String, String> md = new LinkedHashMap<>();
                for (Object po : (List<Object>) e.getField(ENTRY.findFieldByNumber(3))) {
                    DynamicMessage p = (DynamicMessage) po;
                    md.put((String) p.getField(LABEL_PAIR.findFieldByNumber(1)), (String) p.getField(LABEL_PAIR.findFieldByNumber(2)));
                }
                out.add(new Entry(labels, (Long) ts.getField(TIMESTAMP.findFieldByNumber(1)),
                        (Integer) ts.getField(TIMESTAMP.findFieldByNumber(2)),
                        (String) e.getField(ENTRY.findFieldByNumber(2)), md));
            }
        }
        return out;
    }

    /** Builders for the expected message, serialised by protobuf-java for a byte-for-byte comparison. */
    static DynamicMessage.Builder request() {
        return DynamicMessage.newBuilder(PUSH_REQUEST);
    }

    static DynamicMessage.Builder stream(String labels) {
        return DynamicMessage.newBuilder(STREAM).setField(STREAM.findFieldByNumber(1), labels);
    }

    static DynamicMessage entry(long seconds, int nanos, String line, String... metadata) {
        DynamicMessage ts = DynamicMessage.newBuilder(TIMESTAMP)
                .setField(TIMESTAMP.findFieldByNumber(1), seconds)
                .setField(TIMESTAMP.findFieldByNumber(2), nanos).build();
        DynamicMessage.Builder b = DynamicMessage.newBuilder(ENTRY)
                .setField(ENTRY.findFieldByNumber(1), ts)
                .setField(ENTRY.findFieldByNumber(2), line);
        for (int i = 0; i < metadata.length; i += 2) {
            b.addRepeatedField(ENTRY.findFieldByNumber(3), DynamicMessage.newBuilder(LABEL_PAIR)
                    .setField(LABEL_PAIR.findFieldByNumber(1), metadata[i])
                    .setField(LABEL_PAIR.findFieldByNumber(2), metadata[i + 1]).build());
        }
        return b.build();
    }

    static void addEntry(DynamicMessage.Builder stream, DynamicMessage entry) {
        stream.addRepeatedField(STREAM.findFieldByNumber(2), entry);
    }

    static void addStream(DynamicMessage.Builder request, DynamicMessage.Builder stream) {
        request.addRepeatedField(PUSH_REQUEST.findFieldByNumber(1), stream.build());
    }
}

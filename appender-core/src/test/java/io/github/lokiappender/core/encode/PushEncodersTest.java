package io.github.lokiappender.core.encode;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PushEncodersTest {

    @Test
    void createsTheEncoderForEachSupportedCombination() {
        assertThat(PushEncoders.create(PushFormat.JSON, Compression.NONE)).isInstanceOf(JsonPushEncoder.class);
        assertThat(PushEncoders.create(PushFormat.JSON, null)).isInstanceOf(JsonPushEncoder.class);
        assertThat(PushEncoders.create(PushFormat.JSON, Compression.GZIP)).isInstanceOf(GzipJsonPushEncoder.class);
        assertThat(PushEncoders.create(PushFormat.PROTOBUF, Compression.NONE)).isInstanceOf(ProtobufPushEncoder.class);
    }

    @Test
    void protobufWithGzipIsRefusedBecauseLokiWantsSnappy() {
        assertThatThrownBy(() -> PushEncoders.create(PushFormat.PROTOBUF, Compression.GZIP))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("format PROTOBUF with compression GZIP is not supported: compression applies to json only;"
                        + " protobuf is always Snappy-compressed");
    }
}

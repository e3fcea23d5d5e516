package io.concierge.gateway.cache;

import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.nio.BufferObjectDataOutput;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import io.concierge.gateway.cluster.ClusterMember;
import io.concierge.gateway.cluster.PayloadFormats;
import io.concierge.gateway.config.ClusterConfig;
import io.concierge.gateway.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache's lease entry processor across formats: 1 and 2 take alike; a newer one is skipped and takes nothing. */
class TakeLeaseFormatTest {
    private static HazelcastInstance member;
    private static InternalSerializationService serialization;

    @BeforeAll
    static void start() {
        String name = "lease-formats-" + UUID.randomUUID();
        member = ClusterMember.start(new ClusterConfig(name, "127.0.0.1", Poll.freePortBlock(5), 5,
                List.of("127.0.0.1"), Duration.ofSeconds(3)), name);
        serialization = (InternalSerializationService) ((SerializationServiceSupport) member).getSerializationService();
    }

    @AfterAll
    static void stop() {
        if (member != null) {
            member.getLifecycleService().terminate();
        }
    }

    private static TakeLease roundTrip(TakeLease op) {
        return serialization.toObject(serialization.toData(op));
    }

    @Test
    void formatOneAndFormatTwoTakeAlike() {
        for (int format : new int[] {1, 2}) {
            TakeLease op = roundTrip(new TakeLease("gw-1", 5_000).format(format));
            assertEquals(format, op.format());
            Map.Entry<String, String> free = new AbstractMap.SimpleEntry<>("k", null);
            assertEquals(Boolean.TRUE, op.process(free));
            assertEquals("gw-1", free.getValue());
            assertEquals(Boolean.FALSE, op.process(new AbstractMap.SimpleEntry<>("k", "gw-2")));
        }
    }

    @Test
    void aNewerFormatIsSkippedAndTakesNothing() throws Exception {
        BufferObjectDataOutput out = serialization.createObjectDataOutput();
        out.writeString(TakeLease.MARKER);
        out.writeByte(PayloadFormats.CURRENT + 1);
        out.writeByteArray(new byte[] {9, 9, 9});
        out.writeString("next");
        ObjectDataInput in = serialization.createObjectDataInput(out.toByteArray());
        TakeLease op = new TakeLease();
        op.readData(in);

        assertTrue(op.unreadable());
        assertEquals("next", in.readString());
        Map.Entry<String, String> free = new AbstractMap.SimpleEntry<>("k", null);
        assertNull(op.process(free));
        assertNull(free.getValue());
    }
}

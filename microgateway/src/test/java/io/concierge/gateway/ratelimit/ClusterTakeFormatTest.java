package io.concierge.gateway.ratelimit;

import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rate-limit entry processor across formats: format 1 (from before formats) and format 2 read
 * alike, a newer format is skipped without losing the stream's place and leaves the counter alone,
 * and in a cluster with a member that reads format 1 only, writers fall back to format 1.
 */
class ClusterTakeFormatTest {
    private static final long NOW = 60_000L * 1_000;
    private static HazelcastInstance member;
    private static InternalSerializationService serialization;

    @BeforeAll
    static void start() {
        String name = "formats-" + UUID.randomUUID();
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

    private static ClusterTake take() {
        return new ClusterTake(new SlidingWindowQuota(5, 60_000), NOW, 2, 1, 0, 0);
    }

    private static ClusterTake roundTrip(ClusterTake op) {
        return serialization.toObject(serialization.toData(op));
    }

    private static long[] run(ClusterTake op, Map.Entry<String, long[]> entry) {
        return op.process(entry);
    }

    @Test
    void formatOneAndFormatTwoDecideAlike() {
        ClusterTake legacy = roundTrip(take().format(1));
        ClusterTake current = roundTrip(take().format(2));
        assertEquals(1, legacy.format());
        assertEquals(2, current.format());
        Map.Entry<String, long[]> a = new AbstractMap.SimpleEntry<>("k", null);
        Map.Entry<String, long[]> b = new AbstractMap.SimpleEntry<>("k", null);
        assertArrayEquals(run(legacy, a), run(current, b));
        assertArrayEquals(a.getValue(), b.getValue());
        assertEquals(2, Quota.Grant.of(run(current, b)).granted(), "the second take on the same state: 2 more");
    }

    @Test
    void aNewerFormatIsSkippedAndLeavesTheCounterUntouched() throws Exception {
        BufferObjectDataOutput out = serialization.createObjectDataOutput();
        out.writeByte(PayloadFormats.CURRENT + 7);
        out.writeByteArray(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        out.writeString("what the operation writes next");
        ObjectDataInput in = serialization.createObjectDataInput(out.toByteArray());
        ClusterTake op = new ClusterTake();
        op.readData(in);

        assertTrue(op.unreadable());
        assertEquals("what the operation writes next", in.readString(), "the stream keeps its place");
        long[] state = {1, 2, 3};
        Map.Entry<String, long[]> entry = new AbstractMap.SimpleEntry<>("k", state);
        assertNull(op.process(entry));
        assertArrayEquals(new long[] {1, 2, 3}, entry.getValue());
    }

    @Test
    void aMalformedTagIsRefusedRatherThanGuessed() throws Exception {
        BufferObjectDataOutput out = serialization.createObjectDataOutput();
        out.writeByte(-3);
        ObjectDataInput in = serialization.createObjectDataInput(out.toByteArray());
        try {
            new ClusterTake().readData(in);
            throw new AssertionError("expected an IOException");
        } catch (java.io.IOException expected) {
            assertTrue(expected.getMessage().contains("invalid format tag"));
        }
    }

    @Test
    void aMemberThatReadsOnlyFormatOneMakesEveryoneWriteFormatOne() throws Exception {
        String name = "mixed-" + UUID.randomUUID();
        int base = Poll.freePortBlock(5);
        HazelcastInstance current = ClusterMember.start(new ClusterConfig(name, "127.0.0.1", base, 5,
                List.of("127.0.0.1"), Duration.ofSeconds(3)), name + "-current");
        HazelcastInstance legacy = Hazelcast.newHazelcastInstance(legacyConfig(name, base));
        try {
            Poll.until("two members", Duration.ofSeconds(30), () -> current.getCluster().getMembers().size() == 2);
            assertEquals(1, PayloadFormats.agreed(current));
            ClusterCounters counters = new ClusterCounters(current, "owner-" + UUID.randomUUID());
            // Keys land on both members' partitions; every take is answered whatever the owner.
            for (int i = 0; i < 20; i++) {
                Quota.Grant g = counters.take("key-" + i, take(), 5_000_000_000L);
                assertEquals(2, g.granted());
            }
            legacy.getLifecycleService().terminate();
            Poll.until("the legacy member is gone", Duration.ofSeconds(30),
                    () -> current.getCluster().getMembers().size() == 1);
            assertEquals(PayloadFormats.CURRENT, PayloadFormats.agreed(current));
        } finally {
            legacy.getLifecycleService().terminate();
            current.getLifecycleService().terminate();
        }
    }

    /** A member as a release from before payload formats starts it: no format attribute. */
    private static Config legacyConfig(String name, int base) {
        Config cfg = new Config();
        cfg.setClusterName(name);
        cfg.setInstanceName(name + "-legacy");
        cfg.setProperty("hazelcast.phone.home.enabled", "false");
        cfg.setProperty("hazelcast.logging.type", "jdk");
        cfg.setProperty("hazelcast.socket.bind.any", "false");
        cfg.setProperty("hazelcast.wait.seconds.before.join", "1");
        cfg.getNetworkConfig().setPort(base).setPortAutoIncrement(true).setPortCount(5);
        cfg.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = cfg.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
        return cfg;
    }
}

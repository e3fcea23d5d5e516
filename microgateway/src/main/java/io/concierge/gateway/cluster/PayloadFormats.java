package io.concierge.gateway.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;

/**
 * Formats of what members exchange (entry processors, registry values), so a rolling upgrade can
 * run mixed versions. Each member publishes the newest format it reads as a member attribute; a
 * writer uses the oldest format that every current member reads. Members from before formats
 * existed publish nothing and read format 1 only, so until the last of them is gone everyone writes
 * format 1.
 */
public final class PayloadFormats {
    /** Member attribute: the newest payload format this member reads. */
    public static final String ATTRIBUTE = "concierge.payload-format";
    /** The format this code writes when every member reads it. */
    public static final int CURRENT = 2;
    /** What a member that publishes no attribute reads. */
    public static final int LEGACY = 1;

    private PayloadFormats() {
    }

    /** The oldest of the newest formats that the current members read: what a writer may use. */
    public static int agreed(HazelcastInstance hz) {
        int agreed = CURRENT;
        for (Member m : hz.getCluster().getMembers()) {
            agreed = Math.min(agreed, readBy(m));
        }
        return agreed;
    }

    static int readBy(Member m) {
        String a = m.getAttribute(ATTRIBUTE);
        if (a == null) {
            return LEGACY;
        }
        try {
            return Math.max(LEGACY, Integer.parseInt(a));
        } catch (NumberFormatException e) {
            return LEGACY;
        }
    }
}

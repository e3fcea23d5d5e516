package io.concierge.gateway.cluster;

import java.util.logging.Logger;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MemberAttributeConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.TcpIpConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.config.ClusterConfig;

/**
 * Starts this process's member of the mesh's Hazelcast cluster: explicit TCP/IP members, or on
 * Kubernetes the pods behind a headless Service found by DNS (multicast and cloud auto-detection off, so a gateway never joins a stranger's cluster), bound to
 * the configured interface, with a short failure detector so a dead gateway's registrations vanish
 * within seconds rather than Hazelcast's default minute.
 *
 * <p>Open-source Hazelcast authenticates nobody: whoever reaches the cluster port and knows the
 * cluster name joins as a full member (its "trusted interfaces" apply to multicast discovery only,
 * which is off here). So the trusted address ranges are enforced where the mesh reads the cluster:
 * the registry ignores entries of members outside them ({@code EmbeddedRegistry}); isolation of
 * the port itself is the network's job (docs/operations.md#cluster-isolation).
 */
public final class ClusterMember {
    /** User-context key under which the registry finds the trusted member ranges. */
    public static final String TRUSTED_MEMBERS = "concierge.trusted-members";

    private ClusterMember() {
    }

    public static HazelcastInstance start(ClusterConfig c, String instanceName) {
        Config cfg = new Config();
        cfg.setClusterName(c.name());
        cfg.setInstanceName(instanceName);
        cfg.setProperty("hazelcast.phone.home.enabled", "false");
        cfg.setProperty("hazelcast.logging.type", "jdk");
        cfg.setProperty("hazelcast.shutdownhook.enabled", "false");
        cfg.setProperty("hazelcast.socket.bind.any", "false");
        cfg.setProperty("hazelcast.local.localAddress", c.host());
        cfg.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        cfg.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(c.failureDetection().toSeconds()));
        cfg.setProperty("hazelcast.tcp.join.port.try.count", String.valueOf(c.portCount()));
        cfg.setProperty("hazelcast.wait.seconds.before.join", "1");
        cfg.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        cfg.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        cfg.setMemberAttributeConfig(new MemberAttributeConfig()
                .setAttribute(PayloadFormats.ATTRIBUTE, String.valueOf(PayloadFormats.CURRENT)));
        cfg.getUserContext().put(TRUSTED_MEMBERS, c.trustedMembers());
        NetworkConfig net = cfg.getNetworkConfig();
        net.setPort(c.port()).setPortAutoIncrement(true).setPortCount(c.portCount());
        net.getInterfaces().setEnabled(true).addInterface(c.host());
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (c.kubernetesServiceDns() != null) {
            // DNS lookup mode: the headless Service's A records are the pods; no Kubernetes API access.
            join.getKubernetesConfig().setEnabled(true)
                    .setProperty("service-dns", c.kubernetesServiceDns())
                    .setProperty("service-port", String.valueOf(c.port()));
        } else {
            TcpIpConfig tcp = join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2);
            c.members().forEach(tcp::addMember);
        }
        if (c.trustedMembers().isAny()) {
            Logger.getLogger(ClusterMember.class.getName()).warning("cluster.trusted-members is not set and the member"
                    + " binds " + c.host() + ": registry entries of any member that joins are accepted; set it"
                    + " (docs/operations.md#cluster-isolation)");
        }
        return Hazelcast.newHazelcastInstance(cfg);
    }
}

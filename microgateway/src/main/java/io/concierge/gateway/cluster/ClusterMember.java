package io.concierge.gateway.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
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
 */
public final class ClusterMember {
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
        return Hazelcast.newHazelcastInstance(cfg);
    }
}

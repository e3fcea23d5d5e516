package io.concierge.gateway.pipeline;

import com.hazelcast.core.HazelcastInstance;

/**
 * What filters may need when they are built at startup: who they belong to and the shared
 * cluster (null when the process runs without one, e.g. static discovery in a benchmark).
 *
 * @param owner   {@code edge} or the gateway's domain, for metric and log names
 * @param cluster the mesh's Hazelcast member, or null
 */
public record PipelineContext(String owner, HazelcastInstance cluster) {
}

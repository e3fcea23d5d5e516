package io.concierge.gateway.grpc;

/** How a server-streaming method's messages are written (docs/grpc.md). */
public enum StreamFormat {
    /** One JSON array, {@code application/json}, each element written as its message arrives (default). */
    JSON_ARRAY,
    /** One JSON document per line, {@code application/x-ndjson}. */
    NDJSON
}

package io.concierge.gateway.telemetry;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The span attributes Concierge sets: OpenTelemetry HTTP semantic conventions (stable names) plus a
 * few of its own under {@code concierge.}. docs/observability.md lists them all.
 */
final class SpanAttributes {
    static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> HTTP_REQUEST_METHOD_ORIGINAL =
            AttributeKey.stringKey("http.request.method_original");
    static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
    static final AttributeKey<String> NETWORK_PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
    static final AttributeKey<Long> NETWORK_PEER_PORT = AttributeKey.longKey("network.peer.port");
    static final AttributeKey<String> NETWORK_PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
    static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("concierge.request_id");
    static final AttributeKey<String> UPSTREAM_SERVICE = AttributeKey.stringKey("concierge.upstream.service");
    /** The part of a composition an in-process call fetches ({@code product[2]} in a fan-out). */
    static final AttributeKey<String> COMPOSITION_PART = AttributeKey.stringKey("concierge.composition.part");
    static final AttributeKey<String> COMPONENT = AttributeKey.stringKey("concierge.component");

    private SpanAttributes() {
    }
}

package io.concierge.gateway.config;

/**
 * Tells DNS names from IP literals and other text: SNI carries only DNS names (RFC 6066 §3), and a
 * TLS {@code server-name} or a Kubernetes Service name must be one.
 */
public final class HostNames {
    private HostNames() {
    }

    /** Letters, digits, '-' and '.', not all digits and dots, no ':' (IPv6); no regex, it runs per connection. */
    public static boolean isDnsName(String host) {
        if (host.isEmpty() || host.length() > 253 || host.charAt(0) == '.' || host.charAt(host.length() - 1) == '.') {
            return false;
        }
        boolean letter = false;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
                letter = true;
            } else if (!(c >= '0' && c <= '9' || c == '.')) {
                return false;
            }
        }
        return letter;
    }
}

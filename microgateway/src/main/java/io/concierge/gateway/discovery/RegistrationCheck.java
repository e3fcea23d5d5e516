package io.concierge.gateway.discovery;

import io.concierge.gateway.config.AddressRanges;
import io.concierge.gateway.config.Prefixes;

/**
 * Whether a registration read from a shared registry may be dispatched to. Anyone who can write the
 * registry could otherwise point a domain's traffic anywhere, or plant an entry that breaks whoever
 * reads it: so every field is checked as configuration would be, and the address must lie in the
 * trusted ranges. Tight loops, no regex: the registry is re-read on every change.
 */
public final class RegistrationCheck {
    /** Why an entry is ignored. */
    public enum Reason {
        MALFORMED("malformed"),
        UNTRUSTED_MEMBER("untrustedMember"),
        UNTRUSTED_ADDRESS("untrustedAddress"),
        PREFIX_NOT_ALLOWED("prefixNotAllowed");

        private final String key;

        Reason(String key) {
            this.key = key;
        }

        /** The name in health and metrics output. */
        public String key() {
            return key;
        }
    }

    private RegistrationCheck() {
    }

    /** Null when {@code r} is well formed and points into {@code trusted}, else why not. */
    public static Reason problem(Registration r, AddressRanges trusted) {
        if (!wellFormed(r)) {
            return Reason.MALFORMED;
        }
        return trusted.contains(r.host()) ? null : Reason.UNTRUSTED_ADDRESS;
    }

    static boolean wellFormed(Registration r) {
        if (r.instanceId() == null || !visible(r.instanceId(), 256) || !isDomain(r.domain())
                || r.prefixes() == null || r.prefixes().isEmpty() || r.prefixes().size() > 64
                || !isHost(r.host()) || r.port() < 1 || r.port() > 65535 || r.adminPort() < 0 || r.adminPort() > 65535) {
            return false;
        }
        for (String p : r.prefixes()) {
            if (!Prefixes.isWellFormed(p)) {
                return false;
            }
        }
        return true;
    }

    /** As a gateway's {@code domain}: a lower-case letter, then lower-case letters, digits and '-', at most 63. */
    public static boolean isDomain(String d) {
        if (d == null || d.isEmpty() || d.length() > 63 || d.charAt(0) < 'a' || d.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < d.length(); i++) {
            char c = d.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** A DNS name or an IP literal: nothing that could smuggle a path, user info or a second header into Host. */
    static boolean isHost(String h) {
        if (h == null || h.isEmpty() || h.length() > 253) {
            return false;
        }
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
                    || c == ':' || c == '[' || c == ']')) {
                return false;
            }
        }
        return true;
    }

    private static boolean visible(String s, int max) {
        if (s.isEmpty() || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}

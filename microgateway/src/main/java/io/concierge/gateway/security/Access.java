package io.concierge.gateway.security;

/** Who may call a route. */
public enum Access {
    /** Anyone; credentials are not looked at (identity headers from the client are still stripped). */
    PUBLIC("public"),
    /** Anyone; a credential, when present, must be valid and its identity is passed on. */
    OPTIONAL("optional"),
    /** Only callers with a valid credential. */
    AUTHENTICATED("authenticated");

    static final String ALLOWED = "public, optional, authenticated";

    private final String yamlName;

    Access(String yamlName) {
        this.yamlName = yamlName;
    }

    String yamlName() {
        return yamlName;
    }

    static Access parse(String text) {
        for (Access a : values()) {
            if (a.yamlName.equals(text)) {
                return a;
            }
        }
        return null;
    }
}

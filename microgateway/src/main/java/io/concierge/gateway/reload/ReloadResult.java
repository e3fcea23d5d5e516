package io.concierge.gateway.reload;

import java.util.Locale;

/** How one reload ended; the label of {@code concierge_config_reloads_total{result}}. */
public enum ReloadResult {
    /** The file was valid and its generation is now serving. */
    APPLIED,
    /** The file failed validation; the running configuration stays. */
    INVALID,
    /** The file changes something only a restart can change (listen port, domain, cluster ...). */
    REFUSED,
    /** The file's bytes are the running ones (same SHA-256): nothing was rebuilt. */
    UNCHANGED,
    /** The file was valid but building its generation failed; the running configuration stays. */
    FAILED;

    /** The metric label and JSON value. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

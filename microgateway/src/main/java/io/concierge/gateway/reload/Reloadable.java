package io.concierge.gateway.reload;

/** A server whose configuration file can be reloaded while it runs (a gateway, the edge). */
public interface Reloadable {
    /** The server's reloads: trigger one, read the running generation, turn on the file watch or SIGHUP. */
    ConfigReloads<?> reloads();
}

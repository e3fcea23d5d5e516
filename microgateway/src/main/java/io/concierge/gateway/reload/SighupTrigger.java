package io.concierge.gateway.reload;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reloads every registered configuration on {@code SIGHUP}, the Unix convention for "re-read your
 * configuration". The handler is installed once per JVM (through {@code sun.misc.Signal}, in
 * jdk.unsupported) on the first registration. Where that is not possible (a JVM started with
 * {@code -Xrs}, a platform without SIGHUP, a runtime without jdk.unsupported) the server still
 * starts and logs that only the file watch and {@code POST /admin/reload} remain.
 */
final class SighupTrigger {
    private static final Logger LOG = Logger.getLogger(SighupTrigger.class.getName());
    private static final List<ConfigReloads<?>> TARGETS = new CopyOnWriteArrayList<>();
    private static boolean installed;

    private SighupTrigger() {
    }

    /** Registers {@code reloads}; false when this JVM cannot handle SIGHUP. */
    static synchronized boolean add(ConfigReloads<?> reloads) {
        if (!installed) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> onSignal());
                installed = true;
            } catch (Throwable e) { // IllegalArgumentException, UnsupportedOperationException, NoClassDefFoundError
                LOG.log(Level.WARNING, "SIGHUP cannot be handled here (" + e + "); reload by editing the file or "
                        + "POST /admin/reload");
                return false;
            }
        }
        TARGETS.add(reloads);
        return true;
    }

    static void remove(ConfigReloads<?> reloads) {
        TARGETS.remove(reloads);
    }

    /** Runs on the JVM's signal thread: hand the work to a thread of its own and return at once. */
    private static void onSignal() {
        for (ConfigReloads<?> r : TARGETS) {
            Thread.ofVirtual().name("config-reload-sighup").start(() -> r.reload("sighup"));
        }
    }
}

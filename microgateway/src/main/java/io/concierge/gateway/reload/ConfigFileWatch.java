package io.concierge.gateway.reload;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches one configuration file and runs {@code onChange} once its changes have settled. It
 * watches the file's directory, not the file, because editors and deployment tools often replace
 * the file by writing a temporary one and renaming it over the old name (the old inode never
 * changes). Events come in bursts (truncate, write, rename); a change is reported only after
 * {@link #QUIET} without a further event, so one save is one reload.
 */
final class ConfigFileWatch implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigFileWatch.class.getName());
    /** How long the file must stay unchanged before it is reloaded. */
    static final long QUIET = 400;

    private final WatchService service;
    private final Thread thread;

    private ConfigFileWatch(WatchService service, Path file, Runnable onChange) {
        this.service = service;
        Path name = file.getFileName();
        this.thread = Thread.ofPlatform().daemon().name("config-watch-" + name).unstarted(() -> run(name, onChange));
    }

    static ConfigFileWatch start(Path file, Runnable onChange) {
        Path abs = file.toAbsolutePath();
        try {
            WatchService service = abs.getFileSystem().newWatchService();
            abs.getParent().register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            ConfigFileWatch w = new ConfigFileWatch(service, abs, onChange);
            w.thread.start();
            return w;
        } catch (IOException e) {
            // Fail open: the server keeps serving; SIGHUP and POST /admin/reload still work.
            LOG.log(Level.WARNING, "cannot watch " + abs + " for changes; reload it by SIGHUP or POST /admin/reload",
                    e);
            return null;
        }
    }

    private void run(Path name, Runnable onChange) {
        try {
            while (true) {
                if (!concerns(service.take(), name)) {
                    continue;
                }
                // Debounce: wait until the directory has been quiet about the file for QUIET ms.
                WatchKey more;
                while ((more = service.poll(QUIET, TimeUnit.MILLISECONDS)) != null) {
                    concerns(more, name);
                }
                try {
                    onChange.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "reload of " + name + " after a change failed", e);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    /** Whether the key's events touch the file (by name); resets the key either way. */
    private static boolean concerns(WatchKey key, Path name) {
        boolean hit = false;
        for (WatchEvent<?> e : key.pollEvents()) {
            hit |= e.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(e.context());
        }
        key.reset();
        return hit;
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing the config watch", e);
        }
    }
}

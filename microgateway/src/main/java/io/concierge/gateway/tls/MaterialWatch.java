package io.concierge.gateway.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Watches key and certificate files for the server side ({@link ServerTls}) and the client side
 * ({@link UpstreamTls}) alike: every interval it compares a SHA-256 of the files' contents (not their
 * modification times, which a copy may keep) with the last one applied. A change is applied through
 * {@code reload}; when that fails (a half-written file, a key that does not match), the previous
 * material stays and the next check tries again. One thread per watch, so two servers in one JVM
 * (tests) share nothing and {@link #close} ends it.
 */
final class MaterialWatch implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MaterialWatch.class.getName());

    /** Builds and installs the changed material. */
    interface Reload {
        void apply() throws IOException, GeneralSecurityException;
    }

    private final List<Path> files;
    private final String what;
    private final Reload reload;
    private final ScheduledExecutorService thread;
    private String digest;

    private MaterialWatch(String threadName, List<Path> files, String what, Reload reload) {
        this.files = List.copyOf(files);
        this.what = what;
        this.reload = reload;
        this.digest = digestOrNull(files);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts checking {@code files} every {@code interval}; {@code what} names the material in log lines. */
    static MaterialWatch start(String threadName, List<Path> files, Duration interval, String what, Reload reload) {
        MaterialWatch w = new MaterialWatch(threadName, files, what, reload);
        long period = interval.toMillis();
        w.thread.scheduleWithFixedDelay(w::check, period, period, TimeUnit.MILLISECONDS);
        return w;
    }

    private void check() {
        String now = digestOrNull(files);
        if (now == null || now.equals(digest)) {
            return;
        }
        try {
            reload.apply();
            digest = now;
            LOG.info(() -> what + " reloaded from " + files);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.warning(() -> what + " in " + files + " changed but cannot be loaded (" + e.getMessage()
                    + "); the previous material stays in use");
        }
    }

    private static String digestOrNull(List<Path> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path p : files) {
                md.update(Files.readAllBytes(p));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | GeneralSecurityException e) {
            return null;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}

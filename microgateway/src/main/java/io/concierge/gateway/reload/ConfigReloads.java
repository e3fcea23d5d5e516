package io.concierge.gateway.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.telemetry.MetricsSource;

/**
 * The reload life cycle of one server's configuration file (a gateway's gateway.yaml, the edge's
 * edge.yaml), whatever triggers it (the file watch, SIGHUP, {@code POST /admin/reload}): read the
 * bytes, skip them when their SHA-256 is the running one, load and validate them completely with
 * the same loader as at startup, refuse what only a restart can change, and only then let the
 * server build and swap in the new generation. Anything short of that leaves the running
 * configuration serving; the outcome is logged, counted and kept for {@code /admin}.
 * Reloads are serialized: two triggers at once run one after the other, never interleaved.
 *
 * @param <C> the configuration type (GatewayConfig, EdgeConfig)
 */
public final class ConfigReloads<C> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigReloads.class.getName());

    /** What a server offers to be reloaded. */
    public interface Target<C> {
        /** Loads and validates the file as at startup; a {@link ConfigException} when it is invalid. */
        C load(Path file);

        /** Why {@code next} cannot be applied without a restart ("listen: changing ... needs a restart"), or null. */
        String restartNeeded(C running, C next);

        /** Builds the generation of {@code next} and swaps it in; throws (and changes nothing) when that fails. */
        void apply(C next);

        /** Runs after {@code next} became the running configuration (re-registration with its hash). */
        default void applied(C next) {
        }

        /** The configuration's declared version string. */
        String version(C config);
    }

    private final String owner;
    private final Path file;
    private final Target<C> target;
    private final ReloadStats stats = new ReloadStats();
    private volatile State state;
    private volatile ReloadOutcome last;
    private ConfigFileWatch watch;
    private boolean sighup;

    /** What is running: its config, the SHA-256 of its file's bytes, when it was loaded, its generation. */
    private record State(Object config, String version, String sha256, Instant loadedAt, int generation) {
    }

    /**
     * @param owner   for logs ("gateway 'users'", "edge")
     * @param file    the configuration file, or null when the server was started from an object (tests):
     *                then every reload is refused with "no config file"
     * @param running the configuration the server started with
     */
    public ConfigReloads(String owner, Path file, C running, Target<C> target) {
        this.owner = owner;
        this.file = file != null && Files.isRegularFile(file) ? file : null;
        this.target = target;
        this.state = new State(running, target.version(running), this.file == null ? null : sha256Quietly(this.file),
                Instant.now(), 1);
    }

    /** The file this server reloads from; null when it has none. */
    public Path file() {
        return file;
    }

    /** Reloads the file now (any trigger); serialized with every other reload. */
    @SuppressWarnings("unchecked")
    public synchronized ReloadOutcome reload(String trigger) {
        ReloadOutcome outcome;
        if (file == null) {
            outcome = new ReloadOutcome(ReloadResult.FAILED, Instant.now(), trigger,
                    "no config file: this server was not started from a file");
            return record(outcome);
        }
        State running = state;
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return record(new ReloadOutcome(ReloadResult.INVALID, Instant.now(), trigger,
                    file + ": (root): cannot read the file: " + e.getMessage()));
        }
        String sha = sha256(bytes);
        if (sha.equals(running.sha256())) {
            return record(new ReloadOutcome(ReloadResult.UNCHANGED, Instant.now(), trigger, null));
        }
        C next;
        try {
            next = target.load(file);
        } catch (ConfigException e) {
            return record(new ReloadOutcome(ReloadResult.INVALID, Instant.now(), trigger, e.getMessage()));
        }
        String refusal = target.restartNeeded((C) running.config(), next);
        if (refusal != null) {
            return record(new ReloadOutcome(ReloadResult.REFUSED, Instant.now(), trigger, file + ": " + refusal));
        }
        try {
            target.apply(next);
        } catch (ConfigException e) {
            return record(new ReloadOutcome(ReloadResult.INVALID, Instant.now(), trigger, e.getMessage()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, owner + ": building the configuration of " + file + " failed", e);
            return record(new ReloadOutcome(ReloadResult.FAILED, Instant.now(), trigger, file + ": (root): " + e));
        }
        state = new State(next, target.version(next), sha, Instant.now(), running.generation() + 1);
        target.applied(next);
        return record(new ReloadOutcome(ReloadResult.APPLIED, state.loadedAt(), trigger, null));
    }

    private ReloadOutcome record(ReloadOutcome outcome) {
        stats.count(outcome.result());
        last = outcome;
        switch (outcome.result()) {
            case APPLIED -> LOG.info(() -> owner + ": configuration " + file + " reloaded (" + outcome.trigger()
                    + "): version " + state.version() + ", generation " + state.generation() + ", sha256 "
                    + state.sha256());
            case UNCHANGED -> LOG.fine(() -> owner + ": " + file + " unchanged (" + outcome.trigger() + ")");
            default -> LOG.warning(() -> owner + ": reload " + outcome.result().label() + " (" + outcome.trigger()
                    + "), the running configuration stays: " + outcome.error());
        }
        return outcome;
    }

    /** The running configuration (the last applied one, or the one the server started with). */
    @SuppressWarnings("unchecked")
    public C running() {
        return (C) state.config();
    }

    /** The running generation, 1 at startup. */
    public int generation() {
        return state.generation();
    }

    /** The SHA-256 of the running file's bytes; null without a file. */
    public String sha256() {
        return state.sha256();
    }

    /** When the running configuration was loaded. */
    public Instant loadedAt() {
        return state.loadedAt();
    }

    /** The last reload, or null before the first. */
    public ReloadOutcome lastReload() {
        return last;
    }

    public ReloadStats stats() {
        return stats;
    }

    /** The {@code config} section of {@code /admin}. */
    public Map<String, Object> describe() {
        State s = state;
        ReloadOutcome l = last;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file == null ? null : file.toString());
        m.put("version", s.version());
        m.put("sha256", s.sha256());
        m.put("loadedAt", s.loadedAt().toString());
        m.put("generation", s.generation());
        m.put("lastReload", l == null ? null : l.describe());
        return m;
    }

    /**
     * {@code concierge_config_reloads_total{result}}, {@code concierge_config_info{version,sha256} 1}
     * and {@code concierge_config_loaded_timestamp_seconds}.
     */
    public MetricsSource metrics() {
        return out -> {
            State s = state;
            out.family("concierge_config_reloads_total", "counter", "Configuration reloads by result.");
            for (ReloadResult r : ReloadResult.values()) {
                out.sample("concierge_config_reloads_total", stats.get(r), "result", r.label());
            }
            out.family("concierge_config_info", "gauge", "The running configuration's version and file SHA-256.");
            out.sample("concierge_config_info", 1, "version", s.version() == null ? "" : s.version(), "sha256",
                    s.sha256() == null ? "" : s.sha256());
            out.family("concierge_config_loaded_timestamp_seconds", "gauge",
                    "When the running configuration was loaded (Unix time).");
            out.sample("concierge_config_loaded_timestamp_seconds", s.loadedAt().toEpochMilli() / 1000.0);
        };
    }

    /** Reloads whenever the file changes on disk (debounced); a no-op without a file. */
    public synchronized ConfigReloads<C> watchFile() {
        if (file != null && watch == null) {
            watch = ConfigFileWatch.start(file, () -> reload("file"));
        }
        return this;
    }

    /** Reloads on SIGHUP (when this JVM lets the process handle it). */
    public synchronized ConfigReloads<C> onSighup() {
        if (file != null && !sighup) {
            sighup = SighupTrigger.add(this);
        }
        return this;
    }

    /** Whether SIGHUP reloads this configuration. */
    public synchronized boolean sighupInstalled() {
        return sighup;
    }

    @Override
    public synchronized void close() {
        if (watch != null) {
            watch.close();
            watch = null;
        }
        if (sighup) {
            SighupTrigger.remove(this);
            sighup = false;
        }
    }

    private static String sha256Quietly(Path file) {
        try {
            return sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            return null;
        }
    }

    /** Hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

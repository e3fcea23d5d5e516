package io.concierge.gateway.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.concierge.gateway.config.ConfigException;

/**
 * The reload life cycle without a server: a "configuration" is the file's one line
 * ({@code port=N name}); a line starting with {@code bad} is invalid, with {@code boom} it fails to
 * build, a changed port needs a restart.
 */
class ConfigReloadsTest {
    @TempDir
    Path dir;

    private final List<String> applied = new ArrayList<>();

    private final ConfigReloads.Target<String> target = new ConfigReloads.Target<>() {
        @Override
        public String load(Path file) {
            String text;
            try {
                text = Files.readString(file).strip();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (text.startsWith("bad")) {
                throw new ConfigException(file.toString(), "name", "must not be bad");
            }
            return text;
        }

        @Override
        public String restartNeeded(String running, String next) {
            return new RestartOnly<String>().setting("port", c -> c.split(" ")[0]).check(running, next);
        }

        @Override
        public void apply(String next) {
            if (next.contains("boom")) {
                throw new IllegalStateException("cannot build " + next);
            }
            applied.add(next);
        }

        @Override
        public String version(String config) {
            return config.split(" ")[1];
        }
    };

    private Path write(String text) throws IOException {
        return Files.writeString(dir.resolve("c.yaml"), text);
    }

    @Test
    void eachOutcomeIsCountedAndOnlyAnAppliedOneChangesTheRunningGeneration() throws IOException {
        Path file = write("port=1 v1");
        ConfigReloads<String> reloads = new ConfigReloads<>("test", file, "port=1 v1", target);
        String startSha = reloads.sha256();
        assertEquals(1, reloads.generation());
        assertNull(reloads.lastReload());

        assertEquals(ReloadResult.UNCHANGED, reloads.reload("admin").result());

        write("bad v2");
        ReloadOutcome invalid = reloads.reload("admin");
        assertEquals(ReloadResult.INVALID, invalid.result());
        assertEquals(file + ": name: must not be bad", invalid.error());

        write("port=2 v2");
        assertEquals(file + ": changing port (running port=1, file port=2) needs a restart; the running "
                + "configuration stays", reloads.reload("admin").error());

        write("port=1 boom");
        ReloadOutcome failed = reloads.reload("admin");
        assertEquals(ReloadResult.FAILED, failed.result());
        assertEquals(file + ": (root): java.lang.IllegalStateException: cannot build port=1 boom", failed.error());

        assertEquals(1, reloads.generation(), "nothing so far was applied");
        assertEquals(startSha, reloads.sha256());
        assertEquals("port=1 v1", reloads.running());
        assertTrue(applied.isEmpty());

        write("port=1 v3");
        ReloadOutcome ok = reloads.reload("sighup");
        assertEquals(ReloadResult.APPLIED, ok.result());
        assertEquals(List.of("port=1 v3"), applied);
        assertEquals(2, reloads.generation());
        assertEquals("port=1 v3", reloads.running());
        Map<String, Object> described = reloads.describe();
        assertEquals("v3", described.get("version"));
        assertEquals(reloads.sha256(), described.get("sha256"));
        assertEquals(Map.of("result", "applied", "at", ok.at().toString(), "trigger", "sighup"),
                withoutNulls(reloads.lastReload().describe()));

        for (ReloadResult r : ReloadResult.values()) {
            assertEquals(1, reloads.stats().get(r), r.label());
        }
    }

    @Test
    void withoutAFileEveryReloadFailsAndNothingIsWatched() {
        ConfigReloads<String> reloads = new ConfigReloads<>("test", dir.resolve("missing.yaml"), "port=1 v1", target);
        assertNull(reloads.file());
        assertNull(reloads.sha256());
        ReloadOutcome r = reloads.reload("admin");
        assertEquals(ReloadResult.FAILED, r.result());
        assertEquals("no config file: this server was not started from a file", r.error());
        reloads.watchFile().close();
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> m) {
        m.values().removeIf(v -> v == null);
        return m;
    }
}

package io.concierge.gateway.testing;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ResourcesTest {
    @Test
    void closesTheLastFirstAndOnlyOnce() throws Exception {
        List<String> closed = new ArrayList<>();
        Resources resources = new Resources();
        AutoCloseable upstream = () -> closed.add("upstream");
        assertSame(upstream, resources.track(upstream));
        resources.track(() -> closed.add("gateway"));
        resources.close();
        assertEquals(List.of("gateway", "upstream"), closed);
        resources.close();
        assertEquals(2, closed.size());
    }

    @Test
    void aFailureDoesNotStopTheOthersAndTheFirstIsRethrown() {
        List<String> closed = new ArrayList<>();
        IllegalStateException first = new IllegalStateException("gateway");
        IllegalStateException second = new IllegalStateException("member");
        Resources resources = new Resources();
        resources.track(() -> closed.add("upstream"));
        resources.track(() -> {
            throw second;
        });
        resources.track(() -> {
            throw first;
        });
        assertSame(first, assertThrows(IllegalStateException.class, resources::close));
        assertEquals(List.of(second), List.of(first.getSuppressed()));
        assertEquals(List.of("upstream"), closed);
    }
}

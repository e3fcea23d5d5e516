package io.concierge.demo.support;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ServiceEnvironmentTest {
    @Test
    void unsetOrBlankUsesTheDefault() {
        assertEquals(3001, ServiceEnvironment.parsePort("P", null, 3001));
        assertEquals(3001, ServiceEnvironment.parsePort("P", " ", 3001));
    }

    @Test
    void acceptsPortsIncludingZero() {
        assertEquals(0, ServiceEnvironment.parsePort("P", "0", 3001));
        assertEquals(4001, ServiceEnvironment.parsePort("P", " 4001 ", 3001));
    }

    @Test
    void rejectsNonPortsNamingTheVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServiceEnvironment.parsePort("USER_SERVICE_PORT", "30o1", 3001));
        assertEquals("USER_SERVICE_PORT must be a port number from 0 to 65535 (was '30o1')", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServiceEnvironment.parsePort("P", "65536", 3001));
        assertThrows(IllegalArgumentException.class, () -> ServiceEnvironment.parsePort("P", "-1", 3001));
    }
}

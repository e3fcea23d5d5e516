package io.concierge.gateway.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Removing a credential from a query leaves every other byte as the client sent it. */
class RawQueryTest {
    @Test
    void everySpellingOfTheNameIsRemovedAndTheRestKeptByteForByte() {
        assertEquals("a=%2F1&b", RawQuery.without("a=%2F1&apikey=k&b", "apikey"));
        assertEquals("", RawQuery.without("api%6Bey=k", "apikey"));
        assertEquals("x=1", RawQuery.without("apikey=1&x=1&apikey=2&apikey", "apikey"));
        assertEquals("&&a", RawQuery.without("&&a&apikey=k", "apikey"), "empty pairs are bytes too");
        assertEquals("a+b=1", RawQuery.without("a+b=1", "apikey"));
    }

    @Test
    void malformedEscapesAreComparedAsSentNeverAnError() {
        assertEquals("%zz=1&x%=2", RawQuery.without("%zz=1&x%=2&apikey=k", "apikey"));
        assertEquals("q", RawQuery.without("q", "apikey"));
        assertEquals("", RawQuery.without("", "apikey"));
    }
}

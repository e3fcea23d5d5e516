package io.concierge.demo.support;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import io.helidon.webserver.http.ServerRequest;

/** Strict reading of query parameters used as filters. */
public final class QueryParameters {
    private QueryParameters() {
    }

    /**
     * An optional filter such as {@code ?userId=1}: absent means "no filter"; present, it must
     * appear once and be a {@link JsonBody#TOKEN}.
     *
     * <p>An empty or repeated value is a 400 rather than "no filter" or "first one wins": a
     * gateway that injected or checked the value must never get everyone's data back because of a
     * mismatch in how the two sides read the query.
     */
    public static Optional<String> optionalToken(ServerRequest req, String name) {
        List<String> values;
        try {
            if (!req.query().contains(name)) {
                return Optional.empty();
            }
            values = req.query().all(name);
        } catch (IllegalArgumentException e) {
            // Malformed percent-encoding in the query string.
            throw ProblemException.badRequest("The query string is not well-formed");
        }
        if (values.size() != 1) {
            throw ProblemException.badRequest("Query parameter '" + name + "' must be given once");
        }
        if (!JsonBody.TOKEN.matcher(values.getFirst()).matches()) {
            throw ProblemException.badRequest("Query parameter '" + name + "' must be " + JsonBody.TOKEN_SHAPE);
        }
        return Optional.of(values.getFirst());
    }

    /**
     * An optional whole number such as {@code ?limit=5}, between {@code min} and {@code max}; a
     * repeated, non-numeric or out-of-range value is a 400.
     */
    public static OptionalInt optionalInt(ServerRequest req, String name, int min, int max) {
        Optional<String> text = optionalToken(req, name);
        if (text.isEmpty()) {
            return OptionalInt.empty();
        }
        String v = text.get();
        if (!v.matches("\\d{1,9}") || Integer.parseInt(v) < min || Integer.parseInt(v) > max) {
            throw ProblemException.badRequest("Query parameter '" + name + "' must be a whole number from " + min
                    + " to " + max);
        }
        return OptionalInt.of(Integer.parseInt(v));
    }
}

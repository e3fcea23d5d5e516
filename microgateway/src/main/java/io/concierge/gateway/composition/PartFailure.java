package io.concierge.gateway.composition;

/**
 * One part of a composition failed. For a required part this becomes the endpoint's problem
 * response (status, title, detail naming the part); for an optional one, an entry under
 * {@code _partial}. No stack trace: it is an expected outcome, not a bug.
 */
final class PartFailure extends RuntimeException {
    private final String part;
    private final int status;
    private final String title;

    PartFailure(String part, int status, String title, String detail) {
        super(detail, null, false, false);
        this.part = part;
        this.status = status;
        this.title = title;
    }

    String part() {
        return part;
    }

    int status() {
        return status;
    }

    String title() {
        return title;
    }
}

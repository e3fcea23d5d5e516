package io.concierge.gateway.versioning;

/**
 * The API version a request selected and how, left on the exchange by {@link VersionStep} for
 * {@link VersionShapeStep} and the route's backend; {@code index} is the version's position in the
 * group's {@code versions}. One instance per version and source, built at load.
 */
record SelectedVersion(VersioningConfig.ApiVersion version, int index, Source source) {

    /** How the version was selected, in precedence order. */
    enum Source {
        URL, HEADER, MEDIA_TYPE, QUERY, DEFAULT
    }
}

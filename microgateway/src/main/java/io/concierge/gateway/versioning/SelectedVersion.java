package io.concierge.gateway.versioning;

/**
 * The API version a request selected and how, left on the exchange by {@link VersionStep} for
 * {@link VersionShapeStep}. One instance per version and source, built at load.
 */
record SelectedVersion(VersioningConfig.ApiVersion version, Source source) {

    /** How the version was selected, in precedence order. */
    enum Source {
        URL, HEADER, MEDIA_TYPE, QUERY, DEFAULT
    }
}

/**
 * The live dashboard page ({@code /sweet-async}): an HTML page and its script and style, served from the
 * starter's jar, that read the {@code asynctasks} and {@code asynclimits} Actuator endpoints, so the
 * endpoints' exposure, access and security decide what the page shows and whether it may cancel.
 */
package io.sweetasync.boot.dashboard;

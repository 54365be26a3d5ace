/**
 * Actuator endpoints: {@code asynctasks} (task trees, cancel) and {@code asynclimits} (limiters).
 */
package io.sweetasync.boot.actuate;

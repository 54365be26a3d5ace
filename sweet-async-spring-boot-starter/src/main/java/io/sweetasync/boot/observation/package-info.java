/**
 * Observations of tasks and context propagation into them (Micrometer Observation and
 * context-propagation).
 */
package io.sweetasync.boot.observation;

/**
 * Micrometer meters for task lifecycles, limiters and resource totals.
 */
package io.sweetasync.boot.micrometer;

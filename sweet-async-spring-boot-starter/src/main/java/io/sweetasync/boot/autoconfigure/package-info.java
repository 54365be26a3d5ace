/**
 * Spring Boot auto-configuration for Sweet Async.
 */
package io.sweetasync.boot.autoconfigure;

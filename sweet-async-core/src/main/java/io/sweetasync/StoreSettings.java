package io.sweetasync;

import java.time.Duration;

/**
 * How an orchestrator uses its {@link io.sweetasync.spi.TaskStore}; set through
 * {@link TaskOrchestrator.Builder}.
 *
 * @param member        this process's name among the members sharing the store
 * @param lease         how long this process counts as alive without renewing (renewed every third)
 * @param flushInterval how often task records are written (a terminal status is stored within it)
 * @param retention     how long finished records are kept
 * @param maxTracked    how many tasks may wait to be written before new ones are counted as dropped
 * @param maxResultSize the largest encoded durable result kept (characters)
 */
record StoreSettings(String member, Duration lease, Duration flushInterval, Duration retention, int maxTracked,
        int maxResultSize) {

    static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    static final Duration DEFAULT_FLUSH = Duration.ofSeconds(1);
    static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    static final int DEFAULT_MAX_TRACKED = 10_000;
    static final int DEFAULT_MAX_RESULT = 64 * 1024;

    StoreSettings {
        if (member == null || member.isBlank() || member.length() > 200) {
            throw new IllegalArgumentException("member name must be 1 to 200 characters, was '" + member + "'");
        }
        positive("lease", lease, Duration.ofSeconds(1), Duration.ofDays(1));
        positive("flushInterval", flushInterval, Duration.ofMillis(1), Duration.ofHours(1));
        positive("retention", retention, Duration.ofMinutes(1), Duration.ofDays(36_500));
        if (maxTracked < 1) {
            throw new IllegalArgumentException("maxTracked must be at least 1, was " + maxTracked);
        }
        if (maxResultSize < 0) {
            throw new IllegalArgumentException("maxResultSize must not be negative, was " + maxResultSize);
        }
    }

    private static void positive(String what, Duration value, Duration min, Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException("store " + what + " must be between " + min + " and " + max + ", was "
                    + value);
        }
    }

    static String defaultMember() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        }
        catch (java.io.IOException | SecurityException ex) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid();
    }
}

package io.sweetasync;

import java.time.Duration;
import java.util.Objects;

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
 * @param unresolvedAfter how long a durable invocation of a handler this member does not register may wait
 *                      unclaimed before this member ends it {@code FAILED}
 */
record StoreSettings(String member, Duration lease, Duration flushInterval, Duration retention, int maxTracked,
        int maxResultSize, Duration unresolvedAfter) {

    static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    static final Duration DEFAULT_FLUSH = Duration.ofSeconds(1);
    static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    static final int DEFAULT_MAX_TRACKED = 10_000;
    static final int DEFAULT_MAX_RESULT = 64 * 1024;
    static final Duration MIN_LEASE = Duration.ofSeconds(1);
    static final Duration MAX_LEASE = Duration.ofDays(1);
    static final Duration MIN_FLUSH = Duration.ofMillis(1);
    static final Duration MAX_FLUSH = Duration.ofHours(1);
    static final Duration MIN_RETENTION = Duration.ofMinutes(1);
    static final Duration MAX_RETENTION = Duration.ofDays(36_500);
    static final Duration DEFAULT_UNRESOLVED = Duration.ofDays(14);
    static final Duration MIN_UNRESOLVED = Duration.ofSeconds(1);
    static final Duration MAX_UNRESOLVED = Duration.ofDays(36_500);

    StoreSettings {
        if (member == null || member.isBlank() || member.length() > 200) {
            throw new IllegalArgumentException("member name must be 1 to 200 characters, was '" + member + "'");
        }
        positive("lease", lease, MIN_LEASE, MAX_LEASE);
        positive("flushInterval", flushInterval, MIN_FLUSH, MAX_FLUSH);
        positive("retention", retention, MIN_RETENTION, MAX_RETENTION);
        positive("unresolvedAfter", unresolvedAfter, MIN_UNRESOLVED, MAX_UNRESOLVED);
        if (flushInterval.multipliedBy(3).compareTo(lease) > 0) {
            throw new IllegalArgumentException("store flushInterval " + flushInterval + " must be at most a third of "
                    + "the lease " + lease + ": the lease is renewed between writes");
        }
        if (maxTracked < 1) {
            throw new IllegalArgumentException("maxTracked must be at least 1, was " + maxTracked);
        }
        if (maxResultSize < 0) {
            throw new IllegalArgumentException("maxResultSize must not be negative, was " + maxResultSize);
        }
    }

    /**
     * {@code value} if it is between {@code min} and {@code max}; else an {@link IllegalArgumentException}
     * naming {@code setting} (a builder method), so a bad value is refused where it is set.
     */
    static Duration inRange(String setting, Duration value, Duration min, Duration max) {
        Objects.requireNonNull(value, setting);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(setting + " must be between " + min + " and " + max + ", was " + value);
        }
        return value;
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

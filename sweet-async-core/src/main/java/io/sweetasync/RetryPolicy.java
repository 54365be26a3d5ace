package io.sweetasync;

import io.sweetasync.spi.TaskClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When and after what delay a failed attempt is tried again. Immutable: every method returns a new
 * policy.
 *
 * <h2>Back-off policies</h2>
 * {@link #fixed} and {@link #exponential} return a {@link Backoff} that retries any {@link Exception}
 * up to {@code maxRetries} times (so a task makes at most {@code maxRetries + 1} attempts).
 * {@link Backoff#retryOn} narrows that to the given types (and subtypes); {@link Backoff#abortOn}
 * excludes types, and wins over {@code retryOn}. {@link Error}s (and other throwables that are no
 * {@code Exception}) are retried only when named: in {@code retryOn}, or as the type of a rule
 * ({@code when(AssertionError.class, fixed(2, delay))} retries that error, also through rules nested in that
 * rule's policy; {@code when(Throwable.class, ...)} names no {@code Error}). {@link InterruptedException}
 * is never retried, and neither is a task that was cancelled or timed out, whatever the policy says.
 *
 * <h2>Rules per error type</h2>
 * {@code RetryPolicy.when(IOException.class, exponential(5, ...)).when(SQLTransientException.class, fixed(2, ...))}
 * returns {@link Rules}: the first rule whose type matches the error decides (with its own filters);
 * an error that matches no rule is not retried. {@link Backoff#when} adds rules in front of a back-off
 * policy, which then applies to errors no rule matches. Attempt numbers count all attempts of the
 * task, whichever rule matched earlier ones.
 *
 * <h2>Delays</h2>
 * {@code fixed}: the same delay before each retry. {@code exponential}: {@code initial}, then doubling,
 * capped at {@code max}. {@link Backoff#withJitter(double) withJitter(j)} spreads each delay uniformly
 * over {@code [d·(1−j), d·(1+j)]}, an exponential one's still capped at {@code max} (so delays near the cap
 * spread below it only). Delays are measured by the orchestrator's clock and count against
 * the task's timeout.
 *
 * <pre>{@code
 * RetryPolicy simple = RetryPolicy.exponential(3, Duration.ofMillis(100), Duration.ofSeconds(2))
 *         .withJitter(0.2)
 *         .retryOn(IOException.class)
 *         .abortOn(FileNotFoundException.class);
 * RetryPolicy perType = RetryPolicy.when(SocketTimeoutException.class, RetryPolicy.fixed(5, Duration.ofMillis(50)))
 *         .when(IOException.class, RetryPolicy.exponential(2, Duration.ofMillis(200), Duration.ofSeconds(1)));
 * AsyncTask.to(Page.class).retry(perType).run(() -> client.fetch(url));
 * }</pre>
 */
public sealed interface RetryPolicy permits RetryPolicy.Backoff, RetryPolicy.Rules {

    /** Never retry. */
    static Backoff none() {
        return Backoff.NONE;
    }

    /**
     * Up to {@code maxRetries} retries, {@code delay} before each.
     *
     * @throws IllegalArgumentException if {@code maxRetries} or {@code delay} is negative
     */
    static Backoff fixed(int maxRetries, Duration delay) {
        Backoff.checkRetries(maxRetries);
        Backoff.checkDelay("delay", delay);
        return new Backoff(maxRetries, delay, delay, false, 0, Set.of(), Set.of(), List.of());
    }

    /**
     * Up to {@code maxRetries} retries; {@code initial} before the first, doubling each time, never more
     * than {@code max}.
     *
     * @throws IllegalArgumentException if {@code maxRetries} or a delay is negative, or {@code max < initial}
     */
    static Backoff exponential(int maxRetries, Duration initial, Duration max) {
        Backoff.checkRetries(maxRetries);
        Backoff.checkDelay("initial", initial);
        Backoff.checkDelay("max", max);
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max delay " + max + " must not be less than initial delay " + initial);
        }
        return new Backoff(maxRetries, initial, max, true, 0, Set.of(), Set.of(), List.of());
    }

    /**
     * A policy of rules: errors of {@code type} (or a subtype) follow {@code policy}; errors that match
     * no rule are not retried. Add rules with {@link Rules#when}.
     */
    static Rules when(Class<? extends Throwable> type, RetryPolicy policy) {
        return new Rules(List.of(new Rule(type, policy)));
    }

    /** The most retries any error can get under this policy. */
    int maxRetries();

    /**
     * Whether attempt number {@code failedAttempt} (from 1), which failed with {@code error}, is to be
     * retried, and after what delay.
     *
     * @return the delay before the next attempt, or empty if the task has failed for good
     */
    default Optional<Duration> nextDelay(int failedAttempt, Throwable error) {
        return Optional.ofNullable(nextDelay(failedAttempt, error, ThreadLocalRandom.current().nextDouble()));
    }

    /**
     * {@link #nextDelay(int, Throwable)} with the jitter's random draw given, for reproducible results.
     *
     * @param random a number in {@code [0, 1)}; 0.5 means no jitter
     * @return the delay, or {@code null} if there is no retry
     * @throws IllegalArgumentException if {@code failedAttempt} is less than 1 or {@code random} is not in
     *                                  {@code [0, 1)} (NaN included)
     */
    Duration nextDelay(int failedAttempt, Throwable error, double random);

    /** One rule of a {@link Rules} policy. */
    record Rule(Class<? extends Throwable> type, RetryPolicy policy) {
        public Rule {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(policy, "policy");
        }

        /**
         * The delay of this rule's policy for an error of its type; a rule whose type is an {@link Error}, or
         * another throwable that is no {@link Exception}, names it, as {@link Backoff#retryOn} does (a back-off
         * policy alone retries exceptions only), also for the back-off policies of rules nested in this one's.
         * ({@code Throwable} itself names nothing: the error matched it only by being a throwable.)
         */
        Duration delay(int failedAttempt, Throwable error, double random) {
            RetryPolicy applied = !(error instanceof Exception) && type != Throwable.class ? naming(policy, type)
                    : policy;
            return applied.nextDelay(failedAttempt, error, random);
        }

        /** {@code policy} with the error type {@code named} retried by its back-off policies, nested ones too. */
        private static RetryPolicy naming(RetryPolicy policy, Class<? extends Throwable> named) {
            return switch (policy) {
                case Backoff backoff -> backoff.naming(named);
                case Rules rules -> new Rules(rules.rules().stream()
                        .map(rule -> new Rule(rule.type(), naming(rule.policy(), named))).toList());
            };
        }
    }

    /**
     * Rules per error type: the first matching rule decides; errors no rule matches are not retried.
     * See {@link RetryPolicy}.
     */
    final class Rules implements RetryPolicy {

        private final List<Rule> rules;

        private Rules(List<Rule> rules) {
            this.rules = List.copyOf(rules);
        }

        /** Adds a rule, tried after the existing ones. */
        public Rules when(Class<? extends Throwable> type, RetryPolicy policy) {
            List<Rule> more = new ArrayList<>(rules);
            more.add(new Rule(type, policy));
            return new Rules(more);
        }

        /** The rules in the order they are tried. */
        public List<Rule> rules() {
            return rules;
        }

        @Override
        public int maxRetries() {
            return rules.stream().mapToInt(rule -> rule.policy().maxRetries()).max().orElse(0);
        }

        @Override
        public Duration nextDelay(int failedAttempt, Throwable error, double random) {
            Backoff.checkDraw(failedAttempt, error, random);
            for (Rule rule : rules) {
                if (rule.type().isInstance(error)) {
                    return rule.delay(failedAttempt, error, random);
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return "RetryPolicy.when" + rules.stream().map(r -> r.type().getSimpleName() + " -> " + r.policy()).toList();
        }
    }

    /** Fixed or exponential back-off with filters; see {@link RetryPolicy}. */
    final class Backoff implements RetryPolicy {

        static final Backoff NONE = new Backoff(0, Duration.ZERO, Duration.ZERO, false, 0, Set.of(), Set.of(),
                List.of());

        private final int maxRetries;
        private final Duration initialDelay;
        private final Duration maxDelay;
        private final boolean exponential;
        private final double jitter;
        private final Set<Class<? extends Throwable>> retryOn;
        private final Set<Class<? extends Throwable>> abortOn;
        /** Rules tried before this policy's own settings. */
        private final List<Rule> rules;

        private Backoff(int maxRetries, Duration initialDelay, Duration maxDelay, boolean exponential, double jitter,
                Set<Class<? extends Throwable>> retryOn, Set<Class<? extends Throwable>> abortOn, List<Rule> rules) {
            this.maxRetries = maxRetries;
            this.initialDelay = initialDelay;
            this.maxDelay = maxDelay;
            this.exponential = exponential;
            this.jitter = jitter;
            this.retryOn = retryOn;
            this.abortOn = abortOn;
            this.rules = rules;
        }

        /** This policy's own settings, read back by {@link DurableSettings} to store a durable task's policy. */
        int ownRetries() {
            return maxRetries;
        }

        Duration initialDelay() {
            return initialDelay;
        }

        Duration maxDelay() {
            return maxDelay;
        }

        boolean exponential() {
            return exponential;
        }

        double jitter() {
            return jitter;
        }

        Set<Class<? extends Throwable>> retryOnTypes() {
            return retryOn;
        }

        Set<Class<? extends Throwable>> abortOnTypes() {
            return abortOn;
        }

        List<Rule> ownRules() {
            return rules;
        }

        /** This policy with {@code named} retried, by its own settings and by its rules' policies. */
        Backoff naming(Class<? extends Throwable> named) {
            Backoff own = retryOn(named);
            return new Backoff(own.maxRetries, own.initialDelay, own.maxDelay, own.exponential, own.jitter, own.retryOn,
                    own.abortOn, rules.stream().map(rule -> new Rule(rule.type(), Rule.naming(rule.policy(), named)))
                            .toList());
        }

        /**
         * Spreads each delay uniformly over {@code [d·(1−jitter), d·(1+jitter)]}, so that many tasks
         * failing together do not retry together; an exponential policy's delays stay at most its {@code max}.
         *
         * @param jitter between 0 (none) and 1
         */
        public Backoff withJitter(double jitter) {
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new IllegalArgumentException("jitter must be between 0 and 1, was " + jitter);
            }
            return new Backoff(maxRetries, initialDelay, maxDelay, exponential, jitter, retryOn, abortOn, rules);
        }

        /**
         * Retries only errors of these types (and subtypes).
         *
         * @throws IllegalArgumentException if no type is given
         */
        @SafeVarargs
        @SuppressWarnings("varargs")
        public final Backoff retryOn(Class<? extends Throwable>... types) {
            if (Objects.requireNonNull(types, "exception types").length == 0) {
                // "retry only these" with none given retried every exception, as if retryOn were not there
                throw new IllegalArgumentException("retryOn needs at least one exception type, was given none");
            }
            return new Backoff(maxRetries, initialDelay, maxDelay, exponential, jitter, union(retryOn, types), abortOn,
                    rules);
        }

        /** Never retries errors of these types (and subtypes), even if {@link #retryOn} names them. */
        @SafeVarargs
        @SuppressWarnings("varargs")
        public final Backoff abortOn(Class<? extends Throwable>... types) {
            return new Backoff(maxRetries, initialDelay, maxDelay, exponential, jitter, retryOn, union(abortOn, types),
                    rules);
        }

        /**
         * Adds a rule tried before this policy's own settings: errors of {@code type} that no earlier
         * rule matched follow {@code policy}.
         */
        public Backoff when(Class<? extends Throwable> type, RetryPolicy policy) {
            List<Rule> more = new ArrayList<>(rules);
            more.add(new Rule(type, policy));
            return new Backoff(maxRetries, initialDelay, maxDelay, exponential, jitter, retryOn, abortOn,
                    List.copyOf(more));
        }

        @Override
        public int maxRetries() {
            int most = maxRetries;
            for (Rule rule : rules) {
                most = Math.max(most, rule.policy().maxRetries());
            }
            return most;
        }

        @Override
        public Duration nextDelay(int failedAttempt, Throwable error, double random) {
            checkDraw(failedAttempt, error, random);
            if (error instanceof InterruptedException) {
                return null;
            }
            for (Rule rule : rules) {
                if (rule.type().isInstance(error)) {
                    return rule.delay(failedAttempt, error, random);
                }
            }
            if (failedAttempt > maxRetries || !retries(error)) {
                return null;
            }
            Duration delay = initialDelay;
            if (exponential) {
                int doublings = Math.min(failedAttempt - 1, 62);
                long nanos = saturatedNanos(initialDelay);
                long scaled = nanos > (Long.MAX_VALUE >> doublings) ? Long.MAX_VALUE : nanos << doublings;
                delay = Duration.ofNanos(Math.min(scaled, saturatedNanos(maxDelay)));
            }
            if (jitter > 0 && !TaskClock.isPracticallyNever(delay)) {
                double factor = 1 + jitter * (2 * random - 1);
                long jittered = Math.round(delay.toNanos() * factor); // round() saturates at Long.MAX_VALUE
                // an exponential delay is never more than its max, jittered too: the max is what a caller counts on
                delay = Duration.ofNanos(exponential ? Math.min(jittered, saturatedNanos(maxDelay)) : jittered);
            }
            return delay;
        }

        /** {@code delay} in nanoseconds, {@code Long.MAX_VALUE} (about 292 years: "never") when larger. */
        private static long saturatedNanos(Duration delay) {
            return delay.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : delay.toNanos();
        }

        private boolean retries(Throwable error) {
            if (abortOn.stream().anyMatch(type -> type.isInstance(error))) {
                return false;
            }
            if (retryOn.isEmpty()) {
                return error instanceof Exception;
            }
            return retryOn.stream().anyMatch(type -> type.isInstance(error));
        }

        private static Set<Class<? extends Throwable>> union(Set<Class<? extends Throwable>> existing,
                Class<? extends Throwable>[] more) {
            Objects.requireNonNull(more, "exception types");
            List<Class<? extends Throwable>> all = new ArrayList<>(existing);
            for (Class<? extends Throwable> type : more) {
                all.add(Objects.requireNonNull(type, "exception type"));
            }
            return Set.copyOf(all);
        }

        /**
         * The arguments of {@code nextDelay}: a draw outside {@code [0, 1)} made a negative delay (-5: minus ten
         * times the delay) or, NaN, none at all.
         */
        static void checkDraw(int failedAttempt, Throwable error, double random) {
            if (failedAttempt < 1) {
                throw new IllegalArgumentException("attempts are numbered from 1, was " + failedAttempt);
            }
            Objects.requireNonNull(error, "error");
            if (!(random >= 0 && random < 1)) {
                throw new IllegalArgumentException("random must be in [0, 1), was " + random);
            }
        }

        static void checkRetries(int maxRetries) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must not be negative, was " + maxRetries);
            }
        }

        static void checkDelay(String what, Duration delay) {
            Objects.requireNonNull(delay, what);
            if (delay.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative, was " + delay);
            }
        }

        @Override
        public String toString() {
            String own = maxRetries == 0 ? "none"
                    : (exponential ? "exponential " + initialDelay + ".." + maxDelay : "fixed " + initialDelay) + " x"
                            + maxRetries + (jitter > 0 ? " jitter " + jitter : "");
            return rules.isEmpty() ? "RetryPolicy[" + own + "]"
                    : "RetryPolicy" + rules.stream().map(r -> r.type().getSimpleName() + " -> " + r.policy()).toList()
                            + " else " + own;
        }
    }
}

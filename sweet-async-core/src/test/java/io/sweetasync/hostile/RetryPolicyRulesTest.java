package io.sweetasync.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.RetryPolicy;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** RetryPolicy's promises about errors named by rules, and about the cap of an exponential back-off. */
class RetryPolicyRulesTest {

    private static final double NO_JITTER = 0.5;
    private static final Duration DELAY = Duration.ofMillis(10);

    /**
     * RetryPolicy: "Errors are retried only when named: in retryOn, or as the type of a rule". A rule naming
     * an Error retried it when its policy was a back-off policy, but not when that policy was itself made of
     * rules (or had rules in front): the inner back-off saw an Error nobody had named to it, and gave up.
     */
    @Test
    void anErrorNamedByARuleIsRetriedByTheRulesNestedInIt() {
        AssertionError error = new AssertionError("flaky");
        RetryPolicy nested = RetryPolicy.when(AssertionError.class, RetryPolicy.when(Throwable.class, RetryPolicy.fixed(2, DELAY)));
        RetryPolicy inFront = RetryPolicy.when(AssertionError.class,
                RetryPolicy.fixed(1, DELAY).when(Throwable.class, RetryPolicy.fixed(2, DELAY)));
        for (RetryPolicy policy : new RetryPolicy[] {nested, inFront}) {
            assertThat(policy.nextDelay(1, error, NO_JITTER)).as(policy.toString()).isEqualTo(DELAY);
            assertThat(policy.nextDelay(2, error, NO_JITTER)).as(policy.toString()).isEqualTo(DELAY);
            assertThat(policy.nextDelay(3, error, NO_JITTER)).as(policy.toString()).isNull();
        }
        // an Error no rule names is still not retried, nor one a nested policy aborts on
        assertThat(RetryPolicy.when(Throwable.class, RetryPolicy.when(Throwable.class, RetryPolicy.fixed(2, DELAY)))
                .nextDelay(1, error, NO_JITTER)).isNull();
        assertThat(RetryPolicy.when(AssertionError.class, RetryPolicy.when(Throwable.class,
                RetryPolicy.fixed(2, DELAY).abortOn(AssertionError.class))).nextDelay(1, error, NO_JITTER)).isNull();
    }

    /**
     * A throwable that is neither an Exception nor an Error (as some languages and libraries throw for control
     * flow or failures of their own): a rule naming its type applies its policy to it, as
     * {@code when(type, policy)} promises and as a rule naming an Error does. Before the fix the rule matched
     * but its back-off policy, which retries exceptions only, gave up: {@code when(Custom.class, fixed(2, d))}
     * never retried a Custom.
     */
    @Test
    void aThrowableNeitherExceptionNorErrorNamedByARuleIsRetried() {
        Throwable custom = new NeitherExceptionNorError();
        RetryPolicy named = RetryPolicy.when(NeitherExceptionNorError.class, RetryPolicy.fixed(2, DELAY));
        assertThat(named.nextDelay(1, custom, NO_JITTER)).isEqualTo(DELAY);
        assertThat(named.nextDelay(2, custom, NO_JITTER)).isEqualTo(DELAY);
        assertThat(named.nextDelay(3, custom, NO_JITTER)).isNull();
        assertThat(RetryPolicy.fixed(1, DELAY).when(NeitherExceptionNorError.class, RetryPolicy.fixed(2, DELAY))
                .nextDelay(1, custom, NO_JITTER)).isEqualTo(DELAY);
        // still not retried when nothing names it, nor when its rule's policy aborts on it
        assertThat(RetryPolicy.fixed(2, DELAY).nextDelay(1, custom, NO_JITTER)).isNull();
        assertThat(RetryPolicy.when(Throwable.class, RetryPolicy.fixed(2, DELAY)).nextDelay(1, custom, NO_JITTER))
                .isNull();
        assertThat(RetryPolicy.when(NeitherExceptionNorError.class,
                RetryPolicy.fixed(2, DELAY).abortOn(NeitherExceptionNorError.class)).nextDelay(1, custom, NO_JITTER))
                .isNull();
    }

    private static final class NeitherExceptionNorError extends Throwable {
        NeitherExceptionNorError() {
            super("neither");
        }
    }

    /**
     * {@code exponential(maxRetries, initial, max)} promises delays "never more than max"; {@code withJitter(j)}
     * spreads "each delay uniformly over [d·(1−j), d·(1+j)]": at the cap, half of the jittered delays exceed
     * max (here 1.5 s for a 1 s max). Either the cap applies after the jitter or the javadoc of exponential
     * should say that the jitter may exceed it.
     */
    @Test
    void aJitteredExponentialDelayNeverExceedsItsMax() {
        RetryPolicy policy = RetryPolicy.exponential(10, Duration.ofMillis(100), Duration.ofSeconds(1)).withJitter(0.5);
        IOException error = new IOException("reset");
        assertThat(policy.nextDelay(8, error, 0.999)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.nextDelay(8, error, 0.0)).isEqualTo(Duration.ofMillis(500)); // still spread below the cap
        // below the cap the jitter spreads both ways, as before
        assertThat(policy.nextDelay(1, error, 0.0)).isEqualTo(Duration.ofMillis(50));
        assertThat(policy.nextDelay(1, error, 0.75)).isEqualTo(Duration.ofMillis(125));
        // a fixed delay has no max: its jitter spreads both ways
        assertThat(RetryPolicy.fixed(3, Duration.ofSeconds(1)).withJitter(0.5).nextDelay(1, error, 0.75))
                .isEqualTo(Duration.ofMillis(1250));
    }
}

package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final double NO_JITTER = 0.5;

    @Test
    void noneNeverRetries() {
        assertThat(RetryPolicy.none().nextDelay(1, new IOException(), NO_JITTER)).isNull();
        assertThat(RetryPolicy.none().maxRetries()).isZero();
    }

    @Test
    void fixedRetriesUpToMaxWithTheSameDelay() {
        RetryPolicy policy = RetryPolicy.fixed(2, Duration.ofMillis(300));
        assertThat(policy.nextDelay(1, new IOException(), NO_JITTER)).isEqualTo(Duration.ofMillis(300));
        assertThat(policy.nextDelay(2, new IOException(), NO_JITTER)).isEqualTo(Duration.ofMillis(300));
        assertThat(policy.nextDelay(3, new IOException(), NO_JITTER)).as("third failure is final").isNull();
    }

    @Test
    void exponentialDoublesAndIsCapped() {
        RetryPolicy policy = RetryPolicy.exponential(6, Duration.ofMillis(100), Duration.ofMillis(1000));
        assertThat(policy.nextDelay(1, new IOException(), NO_JITTER)).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.nextDelay(2, new IOException(), NO_JITTER)).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.nextDelay(3, new IOException(), NO_JITTER)).isEqualTo(Duration.ofMillis(400));
        assertThat(policy.nextDelay(4, new IOException(), NO_JITTER)).isEqualTo(Duration.ofMillis(800));
        assertThat(policy.nextDelay(5, new IOException(), NO_JITTER)).isEqualTo(Duration.ofMillis(1000));
        assertThat(policy.nextDelay(6, new IOException(), NO_JITTER)).isEqualTo(Duration.ofMillis(1000));
        assertThat(policy.nextDelay(7, new IOException(), NO_JITTER)).isNull();
    }

    @Test
    void exponentialDoesNotOverflowOnManyAttempts() {
        RetryPolicy policy = RetryPolicy.exponential(1000, Duration.ofSeconds(1), Duration.ofHours(1));
        assertThat(policy.nextDelay(999, new IOException(), NO_JITTER)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void jitterSpreadsWithinBounds() {
        RetryPolicy policy = RetryPolicy.fixed(3, Duration.ofMillis(1000)).withJitter(0.2);
        assertThat(policy.nextDelay(1, new IOException(), 0.0)).isEqualTo(Duration.ofMillis(800));
        assertThat(policy.nextDelay(1, new IOException(), 0.5)).isEqualTo(Duration.ofMillis(1000));
        assertThat(policy.nextDelay(1, new IOException(), 0.999999)).isBetween(Duration.ofMillis(1199),
                Duration.ofMillis(1200));
        for (int i = 0; i < 1000; i++) {
            assertThat(policy.nextDelay(1, new IOException()).orElseThrow()).isBetween(Duration.ofMillis(800),
                    Duration.ofMillis(1200));
        }
    }

    @Test
    void filtersNarrowAndAbortWins() {
        RetryPolicy policy = RetryPolicy.fixed(3, Duration.ZERO).retryOn(IOException.class)
                .abortOn(FileNotFoundException.class);
        assertThat(policy.nextDelay(1, new SocketTimeoutException(), NO_JITTER)).as("subtype of IOException").isNotNull();
        assertThat(policy.nextDelay(1, new FileNotFoundException(), NO_JITTER)).as("aborted type").isNull();
        assertThat(policy.nextDelay(1, new IllegalStateException(), NO_JITTER)).as("not in retryOn").isNull();
    }

    @Test
    void errorsAreRetriedOnlyWhenNamedAndInterruptsNever() {
        RetryPolicy.Backoff any = RetryPolicy.fixed(3, Duration.ZERO);
        assertThat(any.nextDelay(1, new AssertionError(), NO_JITTER)).isNull();
        assertThat(any.nextDelay(1, new RuntimeException(), NO_JITTER)).isNotNull();
        assertThat(any.retryOn(AssertionError.class).nextDelay(1, new AssertionError(), NO_JITTER)).isNotNull();
        assertThat(any.retryOn(Exception.class).nextDelay(1, new InterruptedException(), NO_JITTER)).isNull();
    }

    @Test
    void rulesFirstMatchWinsAndUnmatchedIsNotRetried() {
        RetryPolicy policy = RetryPolicy.when(SocketTimeoutException.class, RetryPolicy.fixed(5, Duration.ofMillis(50)))
                .when(IOException.class, RetryPolicy.exponential(2, Duration.ofMillis(200), Duration.ofSeconds(1)));
        assertThat(policy.nextDelay(4, new SocketTimeoutException(), NO_JITTER)).isEqualTo(Duration.ofMillis(50));
        assertThat(policy.nextDelay(2, new IOException(), NO_JITTER)).isEqualTo(Duration.ofMillis(400));
        assertThat(policy.nextDelay(3, new IOException(), NO_JITTER)).isNull();
        assertThat(policy.nextDelay(1, new IllegalStateException(), NO_JITTER)).isNull();
        assertThat(policy.maxRetries()).isEqualTo(5);
    }

    @Test
    void rulesInFrontOfABackoffFallBackToIt() {
        RetryPolicy policy = RetryPolicy.fixed(1, Duration.ofMillis(10))
                .when(IOException.class, RetryPolicy.fixed(3, Duration.ofMillis(99)));
        assertThat(policy.nextDelay(3, new IOException(), NO_JITTER)).isEqualTo(Duration.ofMillis(99));
        assertThat(policy.nextDelay(1, new IllegalStateException(), NO_JITTER)).isEqualTo(Duration.ofMillis(10));
        assertThat(policy.nextDelay(2, new IllegalStateException(), NO_JITTER)).isNull();
    }

    @Test
    void invalidArgumentsAreNamed() {
        assertThatThrownBy(() -> RetryPolicy.fixed(-1, Duration.ZERO)).hasMessageContaining("maxRetries")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> RetryPolicy.exponential(1, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("max delay PT1S must not be less than initial delay PT2S");
        assertThatThrownBy(() -> RetryPolicy.fixed(1, Duration.ofMillis(-5))).hasMessageContaining("delay");
        assertThatThrownBy(() -> RetryPolicy.fixed(1, Duration.ZERO).withJitter(1.5)).hasMessageContaining("1.5");
        assertThatThrownBy(() -> RetryPolicy.none().nextDelay(0, new IOException())).hasMessageContaining("from 1");
    }

    /**
     * SPEC 1.6: {@code when(type, policy)} applies the policy to that type. A rule naming an {@link Error}
     * type retries it (the back-off alone retries exceptions only, as before); a rule of a wider type names
     * no Error, and abortOn still wins.
     */
    @Test
    void aRuleNamingAnErrorTypeRetriesIt() {
        RetryPolicy twice = RetryPolicy.fixed(2, Duration.ofMillis(5));
        RetryPolicy rules = RetryPolicy.when(AssertionError.class, twice);
        assertThat(rules.nextDelay(1, new AssertionError("a"), NO_JITTER)).isEqualTo(Duration.ofMillis(5));
        assertThat(rules.nextDelay(2, new AssertionError("a"), NO_JITTER)).isEqualTo(Duration.ofMillis(5));
        assertThat(rules.nextDelay(3, new AssertionError("a"), NO_JITTER)).as("after 2 retries").isNull();
        assertThat(RetryPolicy.fixed(1, Duration.ZERO).when(AssertionError.class, twice)
                .nextDelay(1, new AssertionError(), NO_JITTER)).as("a rule in front of a back-off").isNotNull();
        assertThat(RetryPolicy.when(Throwable.class, twice).nextDelay(1, new OutOfMemoryError(), NO_JITTER))
                .as("Throwable names no Error").isNull();
        assertThat(RetryPolicy.when(Throwable.class, twice).nextDelay(1, new IOException(), NO_JITTER)).isNotNull();
        assertThat(RetryPolicy.when(AssertionError.class, RetryPolicy.fixed(2, Duration.ZERO).abortOn(AssertionError.class))
                .nextDelay(1, new AssertionError(), NO_JITTER)).as("abortOn wins").isNull();
        assertThat(((RetryPolicy.Rules) rules).rules().get(0).policy()).as("the rule keeps the policy given").isSameAs(twice);
    }

    @Test
    void aTaskWhoseRuleNamesAnErrorIsAttemptedAgain() {
        try (TaskOrchestrator orchestrator = TaskOrchestrator.builder().build()) {
            AtomicInteger attempts = new AtomicInteger();
            TaskResult<String> result = orchestrator.to(String.class)
                    .retry(RetryPolicy.when(AssertionError.class, RetryPolicy.fixed(2, Duration.ZERO)))
                    .awaitResult(() -> {
                        if (attempts.incrementAndGet() < 3) {
                            throw new AssertionError("attempt " + attempts.get());
                        }
                        return "third";
                    }, r -> r);
            assertThat(result.orElseThrow()).isEqualTo("third");
            assertThat(attempts).hasValue(3);
        }
    }
}

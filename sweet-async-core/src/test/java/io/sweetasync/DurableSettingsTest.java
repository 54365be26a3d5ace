package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The timeout and retry policy a durable task keeps in its stored invocation, read back for a re-run. */
class DurableSettingsTest {

    private static final ClassLoader LOADER = DurableSettingsTest.class.getClassLoader();

    static List<RetryPolicy> policies() {
        return List.of(
                RetryPolicy.none(),
                RetryPolicy.fixed(3, Duration.ofMillis(250)),
                RetryPolicy.exponential(5, Duration.ofMillis(100), Duration.ofSeconds(2)).withJitter(0.25),
                RetryPolicy.fixed(2, Duration.ofSeconds(1)).retryOn(IOException.class, TimeoutException.class)
                        .abortOn(SocketTimeoutException.class),
                RetryPolicy.exponential(Integer.MAX_VALUE, Duration.ZERO, Duration.ofSeconds(Long.MAX_VALUE)),
                RetryPolicy.fixed(1, Duration.ofMillis(5)).retryOn(AssertionError.class)
                        .when(UncheckedIOException.class, RetryPolicy.fixed(4, Duration.ofMillis(7))),
                RetryPolicy.when(IOException.class, RetryPolicy.exponential(3, Duration.ofMillis(10),
                                Duration.ofMillis(80)).when(SocketTimeoutException.class, RetryPolicy.none()))
                        .when(IllegalStateException.class, RetryPolicy.fixed(1, Duration.ofHours(1))));
    }

    @ParameterizedTest
    @MethodSource("policies")
    void aPolicyReadBackAnswersEveryDrawAsTheOneWritten(RetryPolicy written) {
        String text = DurableSettings.write("t", null, written);
        RetryPolicy read = DurableSettings.apply(TaskSpec.empty(), text, LOADER).retry();
        assertThat(read).hasToString(written.toString());
        assertThat(read.maxRetries()).isEqualTo(written.maxRetries());
        List<Throwable> errors = List.of(new IOException("io"), new SocketTimeoutException("slow"),
                new TimeoutException("t"), new UncheckedIOException(new IOException()), new IllegalStateException(),
                new AssertionError("a"), new InterruptedException(), new RuntimeException());
        for (Throwable error : errors) {
            for (int attempt = 1; attempt <= 6; attempt++) {
                for (double draw : new double[] {0, 0.3, 0.5, 0.999}) {
                    assertThat(read.nextDelay(attempt, error, draw)).as("%s, attempt %d, draw %s", error, attempt, draw)
                            .isEqualTo(written.nextDelay(attempt, error, draw));
                }
            }
        }
        assertThat(DurableSettings.write("t", null, read)).as("the same policy is the same text").isEqualTo(text);
    }

    @Test
    void theTimeoutIsReadBackAndWhatWasNotGivenStaysUnset() {
        TaskSpec<Object> read = DurableSettings.apply(TaskSpec.empty(),
                DurableSettings.write("t", Duration.ofSeconds(Long.MAX_VALUE), null), LOADER);
        assertThat(read.timeout()).isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(read.retry()).as("no retry given: the member's default applies").isNull();
        assertThat(DurableSettings.write("t", null, null)).isNull();
        assertThat(DurableSettings.apply(TaskSpec.empty(), null, LOADER).timeout()).isNull();
    }

    @Test
    void aTypeTheMemberCannotLoadMakesTheTextUnreadableRatherThanDropped() {
        String text = DurableSettings.write("t", Duration.ofSeconds(1),
                RetryPolicy.fixed(2, Duration.ZERO).retryOn(IOException.class));
        String elsewhere = text.replace("java.io.IOException", "com.example.GoneException");
        assertThatThrownBy(() -> DurableSettings.apply(TaskSpec.empty(), elsewhere, LOADER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("com.example.GoneException");
        String notThrowable = text.replace("java.io.IOException", "java.lang.String");
        assertThatThrownBy(() -> DurableSettings.apply(TaskSpec.empty(), notThrowable, LOADER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a Throwable");
    }

    @Test
    void damagedTextIsRefusedNamingWhere() {
        for (String damaged : List.of("retry=B(1,0,PT1S", "retry=X()", "retry=B(1,0,PT1S,PT1S,0.0,[],[],[])x",
                "timeout=soon", "colour=blue", "retry=R([])", "retry=B(-1,0,PT1S,PT1S,0.0,[],[],[])")) {
            assertThatThrownBy(() -> DurableSettings.apply(TaskSpec.empty(), damaged, LOADER)).as(damaged)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aPolicyTooLargeToStoreIsRefusedNamingTheTask() {
        RetryPolicy.Rules huge = RetryPolicy.when(IOException.class, RetryPolicy.none());
        for (int i = 0; i < 200; i++) {
            huge = huge.when(IllegalStateException.class, RetryPolicy.fixed(1, Duration.ofMillis(i)));
        }
        RetryPolicy.Rules tooMany = huge;
        assertThatThrownBy(() -> DurableSettings.write("send-invoice", null, tooMany))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("send-invoice")
                .hasMessageContaining("4000");
    }
}

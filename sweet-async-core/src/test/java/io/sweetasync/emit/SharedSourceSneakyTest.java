package io.sweetasync.emit;

import static io.sweetasync.hostile.Sneaky.sneaky;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link SharedSource#next}: "an exception of the source ends it for every worker". An iterator that throws a checked
 * exception the compiler does not see (Kotlin, Lombok's {@code @SneakyThrows}) went past the catch of unchecked ones:
 * the source was not ended, and the parallel senders sharing it went on pulling from the broken iterator. With the
 * other sneaky checked exceptions in {@code hostile.SneakyCheckedExceptionsTest}; here for the package-private source.
 */
class SharedSourceSneakyTest {

    @Test
    void anIteratorThrowingACheckedExceptionEndsTheSourceForEveryWorker() throws Exception {
        AtomicInteger pulls = new AtomicInteger();
        Iterator<Integer> failingOnce = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (pulls.incrementAndGet() == 1) {
                    throw sneaky(new IOException("the source broke"));
                }
                return pulls.get();
            }
        };
        SharedSource source = new SharedSource(failingOnce, null);
        assertThat(source.join()).isTrue();
        assertThat(source.join()).isTrue();
        assertThatThrownBy(source::next).isInstanceOf(IOException.class);
        assertThat(source.next()).as("the sibling's pull after the failure").isSameAs(SharedSource.END);
        assertThat(pulls).as("the broken iterator is not pulled again").hasValue(1);
        source.leave();
        source.leave();
    }
}

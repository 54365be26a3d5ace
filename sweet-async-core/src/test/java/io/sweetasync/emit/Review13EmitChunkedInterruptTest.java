package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Review 13: {@link Sources#chunked(Sender, int)} and an interrupt flag the source leaves set while nothing
 * stops the pipeline (it caught an {@link InterruptedException} of its own wait and restored the flag, as the
 * idiom goes). A plain sender that does so completes with every event it emitted
 * ({@code TrialInterruptTest.aSenderReturningWithItsInterruptFlagSetStillCompletes}); the {@link Emitter}
 * promises that no event is accepted and then lost, and {@code chunked} that what the source emitted before it
 * failed is still emitted.
 */
class Review13EmitChunkedInterruptTest extends PipelineHostileSupport {

    /** The source returns normally with the flag set: its last, short list is received, and there is no error. */
    @RepeatedTest(3)
    void aChunkedSourceReturningWithItsInterruptFlagSetLosesNothing() {
        FinalEvent<Long, List<Integer>> done = assertTimeoutPreemptively(CEILING, () -> orchestrator.<List<Integer>>emits()
                .sequence()
                .sender(Sources.chunked((Emitter<Integer> emitter) -> {
                    emitter.emitAll(List.of(1, 2, 3)); // [1, 2] goes at once; 3 was accepted and waits for its list
                    Thread.currentThread().interrupt(); // the source's own wait, interrupted, flag restored
                }, 2))
                .receiver((event, collector) -> collector.collect(event.sequence(), event.data()))
                .awaitFinalEvent());
        assertThat(done.collected().values()).containsExactly(List.of(1, 2), List.of(3));
        assertThat(done.errors()).isEmpty();
    }

    /** The source fails with the flag set: what it emitted before is still emitted, and its failure is the error. */
    @Test
    void aChunkedSourceFailingWithItsInterruptFlagSetStillEmitsWhatItEmitted() {
        FinalEvent<Long, List<Integer>> done = assertTimeoutPreemptively(CEILING, () -> orchestrator.<List<Integer>>emits()
                .sequence()
                .sender(Sources.chunked((Emitter<Integer> emitter) -> {
                    emitter.emitAll(List.of(1, 2, 3));
                    Thread.currentThread().interrupt();
                    throw new IOException("the source's connection reset");
                }, 2))
                .receiver((event, collector) -> collector.collect(event.sequence(), event.data()))
                .awaitFinalEvent());
        assertThat(done.collected().values()).containsExactly(List.of(1, 2), List.of(3));
        assertThat(done.errors()).singleElement().satisfies(error -> assertThat(error.error()).isInstanceOf(IOException.class));
    }

    /**
     * The source goes on emitting with the flag set: the pipeline's own emitter refuses such an emit with
     * {@link InterruptedException}, accepting nothing; the chunking one accepted it into its list, and the list's
     * emit then failed, losing every element accepted into it. An element whose emit returned is received.
     */
    @Test
    void anElementAcceptedByAChunkedSourcesEmitterIsReceived() {
        List<Integer> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        FinalEvent<Long, List<Integer>> done = assertTimeoutPreemptively(CEILING, () -> orchestrator.<List<Integer>>emits()
                .sequence()
                .sender(Sources.chunked((Emitter<Integer> emitter) -> {
                    emitter.emit(1);
                    accepted.add(1);
                    Thread.currentThread().interrupt(); // restored after a wait of its own; it goes on
                    for (int i = 2; i <= 4; i++) {
                        try {
                            emitter.emit(i);
                            accepted.add(i);
                        }
                        catch (InterruptedException refused) {
                            // the emit refused it, as the pipeline's emitter does: not accepted, goes on
                        }
                    }
                }, 2))
                .receiver((event, collector) -> collector.collect(event.sequence(), event.data()))
                .awaitFinalEvent());
        assertThat(done.collected().values().stream().flatMap(List::stream).toList())
                .as("accepted %s", accepted).containsExactlyElementsOf(accepted);
    }
}

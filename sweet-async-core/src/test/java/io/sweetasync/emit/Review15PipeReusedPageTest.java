package io.sweetasync.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Parallel senders share each {@code emitAll} call of one source object as a pass ({@link SharedSources}). A
 * sender that refills one list and emits it page after page (a reused buffer: {@code page.clear()}, fill,
 * {@code emitAll(page)}) makes a pass per page over the same object, and every closed pass was kept for as long
 * as the list lived: a pipeline that streamed for hours grew by a pass per page, though the SharedSources'
 * promise is that a sender emitting page after page holds memory bounded "however long the pipeline runs".
 */
class Review15PipeReusedPageTest extends PipelineHostileSupport {

    /** Passes over one object that have closed are not kept: only those a worker may still join. */
    @Test
    void closedPassesOverAReusedListAreNotKept() throws Exception {
        SharedSources sources = new SharedSources();
        List<Integer> page = new ArrayList<>();
        List<WeakReference<SharedSource>> made = new ArrayList<>();
        int pages = 2_000;
        for (int p = 0; p < pages; p++) {
            page.clear();
            page.add(p);
            SharedSource pass = sources.get(page, 0, () -> {
                SharedSource source = new SharedSource(page.iterator(), null);
                made.add(new WeakReference<>(source));
                return source;
            });
            assertThat(pass.join()).isTrue();
            assertThat(pass.next()).isEqualTo(p);
            assertThat(pass.next()).isSameAs(SharedSource.END);
            pass.leave();
        }
        assertThat(made).hasSize(pages);
        long kept = 0;
        for (int i = 0; i < 50; i++) {
            System.gc();
            kept = made.stream().filter(ref -> ref.get() != null).count();
            if (kept <= 1) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(kept).as("closed passes still reachable after %d pages of one reused list", pages)
                .isLessThanOrEqualTo(1);
    }

    /**
     * Two workers calling {@code emitAll} of one list pass after pass, at their own pace: each pass's elements are
     * pulled once in all, whether a worker comes to a pass still open (and shares it), closed but kept, or closed
     * and dropped.
     */
    @Test
    void eachPassIsPulledOnceWhetherItsWorkersComeEarlyOrLate() throws Exception {
        assertTimeoutPreemptively(CEILING, () -> {
            SharedSources sources = new SharedSources();
            List<Integer> list = List.of(1, 2, 3);
            int passes = 20_000;
            AtomicLong pulled = new AtomicLong();
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int worker = w;
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int p = 0; p < passes; p++) {
                            SharedSource pass = sources.get(list, worker, () -> new SharedSource(list.iterator(), null));
                            if (!pass.join()) {
                                continue;
                            }
                            try {
                                for (Object next = pass.next(); next != SharedSource.END; next = pass.next()) {
                                    pulled.incrementAndGet();
                                }
                            }
                            finally {
                                pass.leave();
                            }
                        }
                    }
                    catch (InterruptedException ex) {
                        throw new IllegalStateException(ex);
                    }
                }));
            }
            for (Thread worker : workers) {
                worker.join();
            }
            assertThat(pulled.get()).isEqualTo(3L * passes);
        });
    }

    /**
     * What pruning must keep: a worker that comes late to a pass another closed emits nothing of it, and its next
     * call joins the pass after, as before; every element of every page is emitted once by the pipeline.
     */
    @Test
    void aReusedListUnderParallelSendersIsEmittedOncePerPage() {
        assertTimeoutPreemptively(CEILING, () -> {
            int pages = 3_000;
            AtomicLong sum = new AtomicLong();
            Object lock = new Object();
            List<Integer> page = new ArrayList<>();
            FinalEvent<Object, Object> done = orchestrator.emits(Integer.class).bufferSize(8)
                    .sender(SenderStrategy.parallel(MinMax.of(1, 1)), emitter -> {
                        for (int p = 0; p < pages; p++) {
                            synchronized (lock) {
                                page.clear();
                                page.add(p);
                            }
                            emitter.emitAll(page);
                        }
                    })
                    .receiver(ReceiverStrategy.parallel(2), (event, collector) -> sum.addAndGet(event.data()))
                    .awaitFinalEvent();
            assertThat(done.errors()).isEmpty();
            assertThat(done.received()).isEqualTo(pages);
            assertThat(sum.get()).isEqualTo((long) pages * (pages - 1) / 2);
        });
    }
}

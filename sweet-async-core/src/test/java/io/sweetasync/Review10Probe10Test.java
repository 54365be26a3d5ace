package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class Review10Probe10Test {

    static CompletableFuture<String> watch(EmittingTask<Integer, Integer> t) {
        CompletableFuture<String> seen = new CompletableFuture<>();
        t.results().subscribe(new Flow.Subscriber<Map.Entry<Integer, Integer>>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Map.Entry<Integer, Integer> item) {
            }

            @Override
            public void onError(Throwable throwable) {
                seen.complete("error " + t.status() + " " + t.finalEvent().isDone() + " " + t.isDone());
            }

            @Override
            public void onComplete() {
                seen.complete("complete " + t.status() + " " + t.finalEvent().isDone() + " " + t.isDone());
            }
        });
        return seen;
    }

    @Test
    void theStreamEndsAfterTheTask() throws Exception {
        TaskOrchestrator o = TaskOrchestrator.builder().build();
        try {
            for (int i = 0; i < 50; i++) {
                EmittingTask<Integer, Integer> ok = o.emits(Integer.class)
                        .sender(SenderStrategy.serial(), em -> em.emitAll(IntStream.range(0, 20).boxed()))
                        .receiver(ReceiverStrategy.parallel(3), (e, c) -> c.collect(e.data(), e.data())).run();
                assertThat(watch(ok).get(20, TimeUnit.SECONDS)).isEqualTo("complete COMPLETED true true");
                EmittingTask<Integer, Integer> bad = o.emits(Integer.class).errorStrategy(ErrorStrategy.stopOnFirst())
                        .sender(SenderStrategy.serial(), em -> em.emitAll(IntStream.range(0, 20).boxed()))
                        .receiver(ReceiverStrategy.parallel(3), (e, c) -> {
                            if (e.data() == 3) {
                                throw new IOException("x");
                            }
                            c.collect(e.data(), e.data());
                        }).run();
                assertThat(watch(bad).get(20, TimeUnit.SECONDS)).isEqualTo("error FAILED true true");
            }
        }
        finally {
            o.close();
        }
    }
}

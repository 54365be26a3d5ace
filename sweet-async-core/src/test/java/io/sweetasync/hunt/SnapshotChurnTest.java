package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import io.sweetasync.emit.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

@Timeout(value = 120)
class SnapshotChurnTest {

    @Test
    void snapshotsWhileTreesChurn() throws Exception {
        try (TaskOrchestrator orch = TaskOrchestrator.builder().historySize(50).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
            List<SpawningTask<?>> handles = new CopyOnWriteArrayList<>();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(Thread.ofPlatform().start(() -> {
                    Random rnd = new Random();
                    while (!stop.get()) {
                        try {
                            for (TaskInfo root : orch.roots()) {
                                walk(root);
                                orch.find(root.id());
                            }
                            orch.liveTasks().forEach(t -> t.toString());
                            orch.recent().forEach(SnapshotChurnTest::walk);
                            orch.limiters();
                            orch.runaways();
                            if (!handles.isEmpty()) {
                                SpawningTask<?> h = handles.get(rnd.nextInt(handles.size()));
                                walk(h.info());
                                h.metrics();
                                if (h instanceof EmittingTask<?, ?> e) e.progress();
                            }
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    }
                }));
            }
            Random rnd = new Random(3);
            for (int i = 0; i < 400; i++) {
                int kids = 1 + rnd.nextInt(5);
                SpawningTask<Integer> t = orch.to(Integer.class).named("root").timeout(Duration.ofMillis(1 + rnd.nextInt(20))).run(() -> {
                    TaskContext c = TaskContext.current().orElseThrow();
                    for (int k = 0; k < kids; k++) {
                        c.child(Integer.class).named("k").run(() -> {
                            TaskContext c2 = TaskContext.current().orElseThrow();
                            c2.progress("p", () -> 7);
                            c2.runChild(() -> { Thread.sleep(1); return 1; });
                            return c2.joinChildren().size();
                        });
                    }
                    return c.joinChildren().size();
                });
                handles.add(t);
                if (i % 20 == 0) {
                    handles.add(orch.emits(Long.class).named("pipe").bufferSize(2)
                            .sender(em -> { for (long e = 0; e < 200; e++) em.emit(e); })
                            .receiver(ReceiverStrategy.adaptive(MinMax.of(1, 4)), (ev, col) -> col.collect(ev.sequence(), ev.data()))
                            .run());
                }
                if (rnd.nextInt(5) == 0) t.cancel();
            }
            for (SpawningTask<?> h : handles) CompletableFuture.supplyAsync(h::result).get(20, TimeUnit.SECONDS);
            stop.set(true);
            for (Thread t : readers) t.join();
            errors.stream().limit(5).forEach(Throwable::printStackTrace);
            assertThat(errors).isEmpty();
        }
    }

    static void walk(TaskInfo t) {
        t.toString();
        for (TaskInfo c : t.children()) walk(c);
    }
}

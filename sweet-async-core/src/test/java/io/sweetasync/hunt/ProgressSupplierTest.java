package io.sweetasync.hunt;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.*;

/** A progress supplier that throws must not break snapshots nor the task ("frozen when the task finishes"). */
@Timeout(value = 60)
class ProgressSupplierTest {

    @Test
    void throwingProgressSupplier() throws Exception {
        List<Throwable> listenerErrors = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<TaskInfo> finished = new AtomicReference<>();
        try (TaskOrchestrator o = TaskOrchestrator.builder().listener(new TaskListener() {
            @Override public void onFinished(TaskInfo t) { if (t.name().equals("prog")) finished.set(t); }
        }).build()) {
            CountDownLatch registered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger calls = new AtomicInteger();
            SpawningTask<String> t = o.to(String.class).named("prog").run(() -> {
                TaskContext c = TaskContext.current().orElseThrow();
                c.progress("ok", () -> 5);
                c.progress("bad", () -> { calls.incrementAndGet(); throw new IllegalStateException("supplier broke"); });
                registered.countDown();
                release.await();
                return "x";
            });
            registered.await();
            Throwable snapErr = null;
            try {
                o.roots().forEach(Object::toString);
                System.out.println("live progress: " + t.info().progress());
            } catch (Throwable e) { snapErr = e; }
            release.countDown();
            TaskResult<String> r = t.result();
            assertThat(snapErr).as("snapshot with a throwing supplier").isNull();
            assertThat(r).isEqualTo(TaskResult.ok("x"));
            assertThat(t.status()).isEqualTo(TaskStatus.COMPLETED);
            long dl = System.nanoTime() + 2_000_000_000L;
            while (finished.get() == null && System.nanoTime() < dl) Thread.sleep(5);
            assertThat(finished.get()).isNotNull();
            System.out.println("final progress: " + finished.get().progress() + " " + t.info().progress());
            assertThat(t.info().progress()).containsEntry("ok", 5L);
        }
    }
}

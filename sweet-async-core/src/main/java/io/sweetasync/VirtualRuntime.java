package io.sweetasync;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** {@link TaskRuntime.Kind#VIRTUAL}: a virtual thread per attempt, tracked so that close() can wait for them. */
final class VirtualRuntime extends TaskRuntime {

    private final ExecutorService threads;

    VirtualRuntime(String name) {
        super(name);
        threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("sweet-async-" + name + "-", 1).factory());
    }

    @Override
    public Kind kind() {
        return Kind.VIRTUAL;
    }

    @Override
    public int parallelism() {
        return Integer.MAX_VALUE;
    }

    @Override
    void execute(TaskNode<?> node) {
        threads.execute(node::runAttempt);
    }

    @Override
    boolean close(long timeoutMillis) throws InterruptedException {
        threads.shutdownNow();
        return threads.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}

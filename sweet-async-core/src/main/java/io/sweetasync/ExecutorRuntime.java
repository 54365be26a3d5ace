package io.sweetasync;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link TaskRuntime.Kind#EXECUTOR}: attempts run on a user's executor, which the user owns and shuts down. */
final class ExecutorRuntime extends TaskRuntime {

    private final Executor executor;
    /** Attempts running on the executor now. */
    private final AtomicInteger inProgress = new AtomicInteger();

    ExecutorRuntime(String name, Executor executor) {
        super(name);
        this.executor = executor;
    }

    @Override
    public Kind kind() {
        return Kind.EXECUTOR;
    }

    @Override
    public int parallelism() {
        return Integer.MAX_VALUE;
    }

    @Override
    public RuntimeSnapshot snapshot() {
        int now = inProgress.get();
        return new RuntimeSnapshot(name(), Kind.EXECUTOR, Integer.MAX_VALUE, now, now, 0, 0, 0, 0, 0);
    }

    @Override
    void execute(TaskNode<?> node) {
        executor.execute(() -> {
            inProgress.incrementAndGet();
            try {
                node.runAttempt();
            }
            finally {
                inProgress.decrementAndGet();
            }
        });
    }

    @Override
    boolean close(long timeoutMillis) {
        return true;
    }
}

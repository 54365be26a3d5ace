package io.sweetasync;

import io.sweetasync.limit.RejectionReason;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
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

    /**
     * Why the executor refused a task: {@code SHUTDOWN} if it is an {@link ExecutorService} that was shut down,
     * else {@code QUEUE_FULL} (a saturated pool, the common reason, which callers answer with "try later").
     */
    RejectionReason refusalReason() {
        return executor instanceof ExecutorService service && service.isShutdown() ? RejectionReason.SHUTDOWN
                : RejectionReason.QUEUE_FULL;
    }

    @Override
    boolean close(long timeoutMillis) {
        return true;
    }
}

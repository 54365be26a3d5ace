package io.sweetasync;

import java.util.concurrent.Executor;

/** {@link TaskRuntime.Kind#EXECUTOR}: attempts run on a user's executor, which the user owns and shuts down. */
final class ExecutorRuntime extends TaskRuntime {

    private final Executor executor;

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
    void execute(TaskNode<?> node) {
        executor.execute(node::runAttempt);
    }

    @Override
    boolean close(long timeoutMillis) {
        return true;
    }
}

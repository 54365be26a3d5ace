package io.sweetasync.boot.autoconfigure;

import io.sweetasync.TaskInfo;
import io.sweetasync.spi.ContextPropagator;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.springframework.core.task.TaskDecorator;

/**
 * Applies the application's Spring {@link TaskDecorator} to every attempt and fallback of every task,
 * the way Spring's executors apply it to submitted work: the decorator is invoked on the thread that
 * creates the task (where it captures its context), and the decorated runnable wraps the body on the
 * thread that runs it, once per attempt. It is placed outside the task's own observation (see
 * {@code SweetAsyncAutoConfiguration}): a decorator that restores the creator's context, such as Spring's
 * {@code ContextPropagatingTaskDecorator}, would else make the creator's observation current again in the
 * body, over the task's.
 */
final class TaskDecoratorPropagator implements ContextPropagator {

    /** The body the decorated trampoline runs on this thread. */
    private static final ThreadLocal<Runnable> BODY = new ThreadLocal<>();

    private final TaskDecorator decorator;

    TaskDecoratorPropagator(TaskDecorator decorator) {
        this.decorator = decorator;
    }

    @Override
    public Captured capture(TaskInfo task) {
        return captureLazily(() -> task);
    }

    /** The decorator sees the body, not the task: no snapshot is made for it. */
    @Override
    public Captured captureLazily(Supplier<TaskInfo> task) {
        Runnable decorated = decorator.decorate(() -> BODY.get().run());
        return new Captured() {
            @Override
            public Scope restore() {
                return () -> { };
            }

            @Override
            public <V> V around(Callable<V> body) throws Exception {
                Object[] result = new Object[1];
                Throwable[] failure = new Throwable[1];
                Runnable previous = BODY.get();
                BODY.set(() -> {
                    try {
                        result[0] = body.call();
                    }
                    catch (Throwable ex) {
                        // Errors too: a decorator that catches what its runnable throws (to log it) must not
                        // turn the body's AssertionError into a task that completed with null
                        failure[0] = ex;
                    }
                });
                try {
                    decorated.run();
                }
                finally {
                    BODY.set(previous);
                }
                if (failure[0] instanceof Error error) {
                    throw error;
                }
                if (failure[0] != null) {
                    throw (Exception) failure[0];
                }
                @SuppressWarnings("unchecked")
                V value = (V) result[0];
                return value;
            }
        };
    }
}

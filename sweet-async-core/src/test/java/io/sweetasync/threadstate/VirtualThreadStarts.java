package io.sweetasync.threadstate;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskRuntime;
import java.lang.reflect.Field;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/** Makes an orchestrator's {@code VIRTUAL} runtime unable to start some of its threads, as a JVM out of them is. */
public final class VirtualThreadStarts {

    private VirtualThreadStarts() {
    }

    /**
     * From now on the runtime's thread factory throws {@code OutOfMemoryError} "unable to create native thread" for
     * each call (numbered from 1) that {@code failsCall} accepts, and makes the thread for the others.
     *
     * @return the calls so far
     */
    public static AtomicInteger failWhen(TaskOrchestrator orchestrator, IntPredicate failsCall)
            throws ReflectiveOperationException {
        TaskRuntime virtual = orchestrator.runtimes().get("virtual");
        Field field = virtual.getClass().getDeclaredField("threads");
        field.setAccessible(true);
        ThreadFactory real = (ThreadFactory) field.get(virtual);
        AtomicInteger calls = new AtomicInteger();
        field.set(virtual, (ThreadFactory) runnable -> {
            if (failsCall.test(calls.incrementAndGet())) {
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory");
            }
            return real.newThread(runnable);
        });
        return calls;
    }
}

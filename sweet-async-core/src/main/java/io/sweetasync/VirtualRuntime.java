package io.sweetasync;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link TaskRuntime.Kind#VIRTUAL}: a virtual thread per attempt. Threads are counted rather than kept in
 * a set (a thread-per-task executor's set costs more than the rest of a trivial task), which is all
 * {@link #close} needs to wait for them; their name is the runtime's, without a per-thread number.
 */
final class VirtualRuntime extends TaskRuntime {

    private final ThreadFactory threads;
    /** Threads admitted and not yet ended (incremented before the closed check, so close() sees them). */
    private final AtomicLong running = new AtomicLong();
    private volatile boolean closed;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();

    VirtualRuntime(String name) {
        super(name);
        threads = Thread.ofVirtual().name("sweet-async-" + name).factory();
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
    public RuntimeSnapshot snapshot() {
        int live = (int) Math.min(Integer.MAX_VALUE, running.get());
        return new RuntimeSnapshot(name(), Kind.VIRTUAL, Integer.MAX_VALUE, live, live, 0, 0, 0, 0, 0);
    }

    @Override
    void execute(TaskNode<?> node) {
        running.incrementAndGet();
        if (closed) {
            ended();
            throw new RejectedExecutionException("runtime '" + name() + "' is closed");
        }
        try {
            Body body = new Body(node);
            Thread thread = threads.newThread(body);
            body.ownThread(thread);
            thread.start();
        }
        catch (RuntimeException | Error ex) {
            // Thrown as it is, as an executor of the user's failure is: a thread that could not start (an
            // OutOfMemoryError "unable to create native thread", a StackOverflowError at the end of a deep body's
            // stack) fails the task with that error. Made a RejectedExecutionException, it read as this runtime closed:
            // the task ended rejected, "runtime 'virtual' is closed", the runtime open and the cause dropped.
            ended();
            throw ex;
        }
    }

    private void ended() {
        if (running.decrementAndGet() <= 1 && closed) { // 1: close() may be waiting on one of these threads
            lock.lock();
            try {
                idle.signalAll();
            }
            finally {
                lock.unlock();
            }
        }
    }

    /**
     * Refuses new threads, and waits for the running ones to end, but for the calling thread when it is one of
     * them (closed from a body, a fallback or a listener on this runtime: it ends once that code returns).
     */
    @Override
    boolean close(long timeoutMillis) throws InterruptedException {
        closed = true;
        long self = Carrier.currentOrNull() instanceof Body body && body.node.runtimeRef() == this ? 1 : 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (running.get() > self) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idle.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
            }
            return true;
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * One attempt's virtual thread: its body and its {@link Carrier} in one object (one allocation fewer per
     * task than a lambda beside a carrier).
     */
    private static final class Body extends Carrier implements Runnable {

        private final TaskNode<?> node;

        Body(TaskNode<?> node) {
            super(null);
            this.node = node;
        }

        @Override
        public void run() {
            try {
                bindVirtual(); // inside: ended() must follow whatever happens, even a failed put
                node.runAttempt(this);
            }
            finally {
                try {
                    unbindVirtual(); // may shrink its stripe's table: an allocation, which can fail
                }
                finally {
                    ((VirtualRuntime) node.runtimeRef()).ended(); // the runtime that executed it
                }
            }
        }
    }
}

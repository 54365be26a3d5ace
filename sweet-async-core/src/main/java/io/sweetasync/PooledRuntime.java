package io.sweetasync;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link TaskRuntime.Kind#PLATFORM} and {@link TaskRuntime.Kind#SINGLE}: a fixed set of daemon platform
 * threads, started on first use, taking attempts from one priority queue (priority, then FIFO).
 *
 * <p>Invariants, under {@link #lock}: a node is in {@link #queue} at most once (it is queued again only
 * for its next attempt, after it was taken); {@link #changed} is signalled when a node is queued, when
 * an awaited task finishes, and on close. A worker or a helping waiter takes a node out under the lock
 * and runs its attempt outside it.
 */
final class PooledRuntime extends TaskRuntime {

    private static final Comparator<TaskNode<?>> ORDER = Comparator
            .<TaskNode<?>>comparingInt(node -> node.priority().ordinal())
            .thenComparingLong(node -> node.enqueueSeq);

    private final Kind kind;
    private final int size;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by lock. */
    private final PriorityQueue<TaskNode<?>> queue = new PriorityQueue<>(ORDER);
    /** Guarded by lock. */
    private final List<Thread> workers = new ArrayList<>();
    /** Guarded by lock. */
    private long seq;
    /** Guarded by lock. */
    private boolean closed;

    PooledRuntime(String name, Kind kind, int size) {
        super(name);
        if (size < 1) {
            throw new IllegalArgumentException("runtime '" + name + "' needs at least 1 thread, was " + size);
        }
        this.kind = kind;
        this.size = size;
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public int parallelism() {
        return size;
    }

    @Override
    void execute(TaskNode<?> node) {
        lock.lock();
        try {
            if (closed) {
                throw new RejectedExecutionException("runtime '" + name() + "' is closed");
            }
            if (workers.isEmpty()) {
                startWorkers();
            }
            node.enqueueSeq = seq++;
            queue.add(node);
            changed.signal();
        }
        finally {
            lock.unlock();
        }
    }

    private void startWorkers() {
        for (int i = 1; i <= size; i++) {
            String threadName = "sweet-async-" + name() + (size == 1 ? "" : "-" + i);
            Thread worker = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::work);
            workers.add(worker);
            worker.start();
        }
    }

    private void work() {
        Carrier.bindWorker(this);
        while (true) {
            TaskNode<?> next;
            lock.lock();
            try {
                while (queue.isEmpty() && !closed) {
                    changed.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                next = take(null);
            }
            finally {
                lock.unlock();
            }
            next.runAttempt();
        }
    }

    /** Takes {@code preferred} if it is queued, else the head; null if empty. Call under lock. */
    private TaskNode<?> take(TaskNode<?> preferred) {
        TaskNode<?> next = preferred != null && preferred.enqueueSeq >= 0 && queue.remove(preferred) ? preferred
                : queue.poll();
        if (next != null) {
            next.enqueueSeq = -1;
        }
        return next;
    }

    /** Helps while waiting when called on one of this runtime's threads; see {@link TaskRuntime}. */
    @Override
    void awaitDone(TaskNode<?> target) throws InterruptedException {
        Carrier carrier = Carrier.currentOrNull();
        if (carrier == null || carrier.pool() != this) {
            super.awaitDone(target);
            return;
        }
        target.whenTerminal(this::signalChanged);
        try {
            helpUntilDone(target);
        }
        finally {
            passOnWakeUp();
        }
    }

    private void helpUntilDone(TaskNode<?> target) throws InterruptedException {
        while (!target.isDone()) {
            TaskNode<?> next;
            lock.lockInterruptibly();
            try {
                if (target.isDone()) {
                    return;
                }
                next = closed ? null : take(target);
                if (next == null) {
                    changed.await();
                    continue;
                }
            }
            finally {
                lock.unlock();
            }
            next.runAttempt();
        }
    }

    /** A waiter woken for a queued node may leave without taking it: wake another thread for it. */
    private void passOnWakeUp() {
        lock.lock();
        try {
            if (!queue.isEmpty()) {
                changed.signal();
            }
        }
        finally {
            lock.unlock();
        }
    }

    private void signalChanged() {
        lock.lock();
        try {
            changed.signalAll();
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    boolean close(long timeoutMillis) throws InterruptedException {
        List<Thread> toJoin;
        lock.lock();
        try {
            closed = true;
            queue.clear();
            changed.signalAll();
            toJoin = List.copyOf(workers);
        }
        finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        boolean allEnded = true;
        for (Thread worker : toJoin) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !worker.join(java.time.Duration.ofNanos(left))) {
                allEnded = allEnded && !worker.isAlive();
            }
        }
        return allEnded;
    }
}

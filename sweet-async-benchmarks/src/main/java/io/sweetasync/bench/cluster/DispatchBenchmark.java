package io.sweetasync.bench.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.IExecutorService;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import java.io.IOException;
import java.io.Serializable;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Remote dispatch of a no-op between the same two members in one JVM (loopback): Sweet Async's
 * {@code anywhere()} (member A keeps one task of its own running, so every placement goes to B) against
 * Hazelcast's own {@code IExecutorService.submitToMember} from A to B. Both wait for the answer. A placement
 * that ran anywhere but on B (the handler answers its member's name) is counted in {@link Where#elsewhere}:
 * the comparison holds only while that stays zero.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class DispatchBenchmark {

    /** The baseline's task. */
    static final class NoOp implements Callable<String>, Serializable {

        private static final long serialVersionUID = 1L;

        @Override
        public String call() {
            return "x";
        }
    }

    /** Placements that did not run on B (JMH reports the count as a secondary result). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Where {

        public long elsewhere;
    }

    private Members members;
    private TaskOrchestrator a;
    private IExecutorService executor;
    private Member b;
    private String bName;

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        members = new Members(2);
        a = members.orchestrators.get(0);
        a.to(String.class).run(() -> {
            members.release.await();
            return "busy";
        });
        executor = members.hazelcast.get(0).getExecutorService("bench-baseline");
        b = members.hazelcast.get(1).getCluster().getLocalMember();
        bName = members.clusters.get(1).memberName();
        String where = placeOnce();
        if (!where.equals(bName)) {
            throw new IllegalStateException("placement went to " + where + ", not to the idle member " + bName);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        members.close();
    }

    @Benchmark
    public String sweetAsyncAnywhere(Where where) {
        String ranOn = placeOnce();
        if (!ranOn.equals(bName)) {
            where.elsewhere++;
        }
        return ranOn;
    }

    private String placeOnce() {
        SpawningTask<String> task = a.to(String.class).named("noop").anywhere().run("noop", "x");
        return task.join();
    }

    /**
     * Neither: the two members idle for a millisecond. Its allocation rate is the members' own background
     * (heartbeats, load publication, metrics), which JMH's GC profiler charges to the other two benchmarks'
     * operations too; {@code ClusterBench} takes it out of their bytes per operation.
     */
    @Benchmark
    public void idleMembers() throws InterruptedException {
        Thread.sleep(1);
    }

    @Benchmark
    public String hazelcastExecutor() throws ExecutionException, InterruptedException {
        return executor.submitToMember(new NoOp(), b).get();
    }
}

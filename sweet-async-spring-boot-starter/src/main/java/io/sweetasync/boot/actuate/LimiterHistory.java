package io.sweetasync.boot.actuate;

import io.sweetasync.TaskOrchestrator;
import io.sweetasync.limit.LimiterSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Every concurrency group's limit, in-flight and queued permits, sampled once a second and kept for the
 * last five minutes, so that {@code GET /actuator/asynclimits?history=true} (and the dashboard's chart)
 * shows the last minutes, not only what happened since a page was opened; of at most {@value #MAX_GROUPS}
 * groups, the first ones sampled. Sampling reads the limiters'
 * snapshots on one daemon thread, started and stopped with the application context.
 *
 * <p>Guarded by {@code lock}: {@code samples}. A sample's time is the wall clock of the sampling.
 *
 * <pre>{@code
 * LimiterHistory history = new LimiterHistory(orchestrator);
 * history.start();
 * Map<String, List<LimiterHistory.Sample>> lastMinutes = history.samples();
 * }</pre>
 */
public class LimiterHistory implements SmartLifecycle {

    /** Samples kept per group: five minutes at one a second. */
    static final int KEPT = 300;

    /**
     * Groups whose samples are kept: the first ones sampled (configured groups exist from the start), as the meters
     * bound their {@code group} tags. Groups made from data ({@code group("tenant-" + id)}) are never removed, and
     * each kept {@value #KEPT} samples for good, all answered by {@code ?history=true} when the dashboard opens.
     */
    static final int MAX_GROUPS = 200;

    private static final Log LOG = LogFactory.getLog(LimiterHistory.class);

    private final TaskOrchestrator orchestrator;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, ArrayDeque<Sample>> samples = new LinkedHashMap<>();
    private volatile ScheduledExecutorService sampler;

    public LimiterHistory(TaskOrchestrator orchestrator) {
        this(orchestrator, Clock.systemUTC());
    }

    LimiterHistory(TaskOrchestrator orchestrator, Clock clock) {
        this.orchestrator = orchestrator;
        this.clock = clock;
    }

    /**
     * One sample of a group.
     *
     * @param epochMillis when it was taken
     * @param limit       the group's limit
     * @param inFlight    permits held
     * @param queued      requests waiting
     */
    public record Sample(long epochMillis, int limit, int inFlight, int queued) {
    }

    /** Each group's samples of the last five minutes, oldest first. */
    public Map<String, List<Sample>> samples() {
        lock.lock();
        try {
            Map<String, List<Sample>> copy = new LinkedHashMap<>();
            samples.forEach((group, kept) -> copy.put(group, List.copyOf(kept)));
            return copy;
        }
        finally {
            lock.unlock();
        }
    }

    /** Takes one sample of every group now. */
    void sample() {
        long now = clock.millis();
        List<LimiterSnapshot> limiters = orchestrator.limiters();
        lock.lock();
        try {
            for (LimiterSnapshot limiter : limiters) {
                ArrayDeque<Sample> kept = samples.get(limiter.group());
                if (kept == null) {
                    if (samples.size() >= MAX_GROUPS) {
                        continue; // beyond the bound: the endpoint lists its state now, without a history
                    }
                    kept = new ArrayDeque<>();
                    samples.put(limiter.group(), kept);
                }
                kept.addLast(new Sample(now, limiter.limit(), limiter.inFlight(), limiter.queued()));
                while (kept.size() > KEPT) {
                    kept.removeFirst();
                }
            }
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void start() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "sweet-async-limiter-history");
            thread.setDaemon(true);
            return thread;
        });
        long period = Duration.ofSeconds(1).toMillis();
        executor.scheduleAtFixedRate(() -> {
            try {
                sample();
            }
            catch (RuntimeException ex) {
                LOG.warn("Sampling the concurrency groups for their history failed; trying again in a second", ex);
            }
        }, 0, period, TimeUnit.MILLISECONDS);
        sampler = executor;
    }

    @Override
    public void stop() {
        ScheduledExecutorService executor = sampler;
        sampler = null;
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return sampler != null;
    }
}

package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.ErrorStrategy;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.MinMax;
import io.sweetasync.emit.PipelineProgress;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.SenderStrategy;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Random pipelines: the final event, the status, the progress and the handle's views agree. */
@Timeout(300)
class Review10PipelineFuzzTest {

    record Run(EmittingTask<Integer, Integer> task, int events, boolean stop, int failEvery, boolean retry, boolean cancelled,
            boolean timed, boolean sequence, String desc, java.util.concurrent.CompletableFuture<Boolean> answer) {
    }

    @Test
    void viewsOfRandomPipelinesAgree() throws Exception {
        TaskOrchestrator o = TaskOrchestrator.builder().build();
        ScheduledExecutorService canceller = Executors.newScheduledThreadPool(2);
        List<String> problems = new CopyOnWriteArrayList<>();
        try {
            SplittableRandom rnd = new SplittableRandom(7);
            for (int round = 0; round < 15; round++) {
                List<Run> runs = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    int events = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(300);
                    boolean stop = rnd.nextInt(3) == 0;
                    int failEvery = rnd.nextInt(3) == 0 ? 0 : 5 + rnd.nextInt(50);
                    boolean retry = rnd.nextBoolean();
                    boolean sequence = rnd.nextBoolean();
                    int buffer = 1 + rnd.nextInt(20);
                    int rs = rnd.nextInt(4);
                    ReceiverStrategy receivers = switch (rs) {
                        case 0 -> ReceiverStrategy.serial();
                        case 1 -> ReceiverStrategy.parallel(1 + rnd.nextInt(6));
                        case 2 -> ReceiverStrategy.batched(1 + rnd.nextInt(10), Duration.ofMillis(rnd.nextInt(5)));
                        default -> ReceiverStrategy.adaptive(MinMax.of(1, 1 + rnd.nextInt(6)));
                    };
                    boolean parallelSenders = rnd.nextBoolean();
                    String runtime = List.of("virtual", "platform", "single").get(rnd.nextInt(3));
                    boolean timed = rnd.nextInt(5) == 0;
                    ErrorStrategy es = stop ? ErrorStrategy.stopOnFirst() : ErrorStrategy.continueOnError();
                    if (retry) {
                        es = es.withRetry(RetryPolicy.fixed(1, Duration.ZERO));
                    }
                    List<Integer> source = IntStream.range(0, events).boxed().toList();
                    var b = o.emits(Integer.class).named("p" + i).bufferSize(buffer).errorStrategy(es).runtime(runtime);
                    if (sequence) {
                        b = b.sequence();
                    }
                    if (timed) {
                        b = b.timeout(Duration.ofMillis(5 + rnd.nextInt(30)));
                    }
                    EmittingTask<Integer, Integer> t = b
                            .sender(parallelSenders ? SenderStrategy.parallel(MinMax.of(1, 3)) : SenderStrategy.serial(),
                                    em -> em.emitAll(source))
                            .receiver(receivers, (ev, col) -> {
                                if (failEvery > 0 && ev.data() % failEvery == 1) {
                                    throw new IOException("bad " + ev.data());
                                }
                                if (ev.data() % 17 == 0) {
                                    Thread.sleep(1);
                                }
                                col.collect(ev.data(), ev.data() * 2);
                            })
                            .run();
                    boolean cancel = rnd.nextInt(4) == 0;
                    java.util.concurrent.CompletableFuture<Boolean> answer = new java.util.concurrent.CompletableFuture<>();
                    if (cancel) {
                        boolean viaFuture = rnd.nextBoolean();
                        canceller.schedule(() -> answer.complete(viaFuture ? t.finalEvent().cancel(true) : t.cancel()),
                                rnd.nextInt(10), TimeUnit.MILLISECONDS);
                    }
                    runs.add(new Run(t, events, stop, failEvery, retry, cancel, timed, sequence,
                            "events=" + events + " stop=" + stop + " failEvery=" + failEvery + " retry=" + retry
                                    + " buffer=" + buffer + " receivers=" + receivers + " parallelSenders=" + parallelSenders
                                    + " runtime=" + runtime + " timed=" + timed + " cancel=" + cancel, answer));
                }
                for (Run r : runs) {
                    check(r, problems);
                }
            }
        }
        finally {
            canceller.shutdownNow();
            o.close();
        }
        problems.stream().limit(30).forEach(p -> System.out.println("PROBLEM " + p));
        assertThat(problems).isEmpty();
    }

    private static void check(Run r, List<String> problems) {
        EmittingTask<Integer, Integer> t = r.task();
        TaskResult<FinalEvent<Integer, Integer>> res = t.result();
        TaskStatus st = t.status();
        String who = t.name() + " " + st + " [" + r.desc() + "]";
        if (t.finalEvent().isDone() == false) {
            problems.add(who + ": finalEvent() not done");
        }
        if (r.cancelled()) {
            boolean said = r.answer().join();
            if (said != (st == TaskStatus.CANCELLED)) {
                problems.add(who + ": cancel() answered " + said);
            }
        }
        PipelineProgress p = t.progress();
        int failing = 0;
        if (r.failEvery() > 0) {
            for (int i = 0; i < r.events(); i++) {
                if (i % r.failEvery() == 1) {
                    failing++;
                }
            }
        }
        switch (res) {
            case TaskResult.Ok<FinalEvent<Integer, Integer>> ok -> {
                FinalEvent<Integer, Integer> fe = ok.value();
                if (st != TaskStatus.COMPLETED) {
                    problems.add(who + ": Ok but " + st);
                }
                if (r.stop() && failing > 0) {
                    problems.add(who + ": stopOnFirst with " + failing + " failing events completed");
                }
                if (fe.emitted() != r.events() || fe.received() != r.events()) {
                    problems.add(who + ": emitted " + fe.emitted() + " received " + fe.received());
                }
                if (fe.collected().size() != r.events() - failing) {
                    problems.add(who + ": collected " + fe.collected().size() + " expected " + (r.events() - failing));
                }
                if (fe.errors().size() != failing) {
                    problems.add(who + ": errors " + fe.errors().size() + " expected " + failing);
                }
                if (p.emitted() != fe.emitted() || p.received() != fe.received() || p.errors() != fe.errors().size()
                        || p.buffered() != 0 || p.senders() != 0 || p.receivers() != 0) {
                    problems.add(who + ": progress " + p + " vs " + fe.emitted() + "/" + fe.received() + "/" + fe.errors().size());
                }
                if (r.sequence()) {
                    List<Integer> keys = new ArrayList<>(fe.collected().keySet());
                    List<Integer> sorted = new ArrayList<>(keys);
                    sorted.sort(null);
                    if (!keys.equals(sorted)) {
                        problems.add(who + ": collected not in emission order");
                    }
                }
                if (!t.finalEvent().join().equals(fe) || !t.join().equals(fe)) {
                    problems.add(who + ": finalEvent()/join() differ");
                }
            }
            case TaskResult.Err<FinalEvent<Integer, Integer>> err -> {
                AsyncTaskException e = err.error();
                boolean ok = switch (st) {
                    case FAILED -> e instanceof TaskFailedException && (r.stop() && failing > 0);
                    case CANCELLED -> e instanceof TaskCancelledException && r.cancelled();
                    case TIMED_OUT -> e instanceof TaskTimeoutException && r.timed();
                    default -> false;
                };
                if (!ok) {
                    problems.add(who + ": " + e);
                }
                if (p.senders() != 0 || p.receivers() != 0) {
                    problems.add(who + ": workers still counted running " + p);
                }
                if (!t.finalEvent().isCompletedExceptionally()) {
                    problems.add(who + ": finalEvent() not failed");
                }
            }
        }
    }
}

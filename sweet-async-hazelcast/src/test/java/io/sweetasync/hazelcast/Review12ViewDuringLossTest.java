package io.sweetasync.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 7 "one view": a member that does not answer is left out of {@code members()}; so is one killed while the
 * view is being taken, and a cancel by id meanwhile answers too. Views asked over and over while a member is killed.
 */
@Timeout(180)
class Review12ViewDuringLossTest {

    private TestCluster test;

    @AfterEach
    void stop() {
        if (test != null) {
            test.close();
        }
    }

    @Test
    void viewsAndCancelsTakenWhileAMemberIsKilledLeaveItOutInsteadOfFailing() throws Exception {
        test = TestCluster.start(3);
        TestCluster.Member a = test.get(0);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch running = new CountDownLatch(8);
        List<Thread> askers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            askers.add(Thread.ofPlatform().start(() -> {
                running.countDown();
                while (!stop.get()) {
                    try {
                        if (thread % 2 == 0) {
                            a.cluster.members();
                        }
                        else {
                            a.cluster.cancel(io.sweetasync.TaskId.parse("999999-1"));
                        }
                    }
                    catch (Throwable ex) {
                        failures.add(ex);
                    }
                }
            }));
        }
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        for (int round = 0; round < 4; round++) {
            TestCluster.Member c = round == 0 ? test.get(2) : test.join();
            for (int i = 0; i < 50; i++) { // some trees on the member that is killed, so that its view takes a while
                c.orchestrator.to(String.class).named("hold").run(() -> test.hold(c.name));
            }
            Thread.sleep(300);
            c.hazelcast.getLifecycleService().terminate();
            test.left(c);
        }
        stop.set(true);
        for (Thread asker : askers) {
            asker.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(failures).as("what the view and the cancel threw").isEmpty();
    }
}

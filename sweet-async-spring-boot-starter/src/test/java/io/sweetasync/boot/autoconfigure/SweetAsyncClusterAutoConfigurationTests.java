package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.instance.impl.Node;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.annotation.Placement;
import io.sweetasync.boot.actuate.AsyncLimitsEndpoint;
import io.sweetasync.boot.actuate.AsyncTasksEndpoint;
import io.sweetasync.boot.actuate.AsyncTasksEndpoint.MemberTasksDescriptor;
import io.sweetasync.boot.actuate.AsyncTasksEndpoint.TasksDescriptor;
import io.sweetasync.boot.actuate.ClusterTaskDescriptor;
import io.sweetasync.boot.actuate.TaskDescriptor;
import io.sweetasync.hazelcast.HazelcastTaskCluster;
import io.sweetasync.spi.TaskCluster;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.hazelcast.autoconfigure.HazelcastAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Embedded members bind to 127.0.0.1 only, with a random cluster name and free ports. */
@Timeout(120)
class SweetAsyncClusterAutoConfigurationTests {

    private static final Duration CEILING = Duration.ofSeconds(30);
    static final CountDownLatch RELEASE = new CountDownLatch(1);
    static final CountDownLatch INTERRUPTED = new CountDownLatch(1);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SweetAsyncClusterAutoConfiguration.class,
                    SweetAsyncAutoConfiguration.class, SweetAsyncEndpointsAutoConfiguration.class,
                    AopAutoConfiguration.class, SweetAsyncAspectAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=asynctasks,asynclimits");

    private static String[] member(String cluster, int base, int index) {
        return new String[] { "sweet.async.cluster.enabled=true", "sweet.async.cluster.name=" + cluster,
                "sweet.async.cluster.bind-address=127.0.0.1", "sweet.async.cluster.port=" + (base + index),
                "sweet.async.cluster.port-count=1",
                "sweet.async.cluster.members=127.0.0.1:" + base + ",127.0.0.1:" + (base + 1),
                "sweet.async.cluster.load-interval=50ms" };
    }

    @Test
    void offUnlessEnabled() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean(TaskCluster.class);
            assertThat(context).doesNotHaveBean(HazelcastInstance.class);
            assertThat(context.getBean(AsyncTasksEndpoint.class).tasks().members()).isNull();
            assertThat(context.getBean(AsyncLimitsEndpoint.class).limits(null).members()).isNull();
        });
    }

    @Test
    void backsOffWithoutHazelcastOnTheClasspath() {
        runner.withClassLoader(new FilteredClassLoader(HazelcastInstance.class))
                .withPropertyValues("sweet.async.cluster.enabled=true").run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(TaskCluster.class);
                    assertThat(context).hasSingleBean(TaskOrchestrator.class);
                });
    }

    @Test
    void anInvalidPropertyFailsStartUpNamingIt() {
        runner.withPropertyValues("sweet.async.cluster.enabled=true", "sweet.async.cluster.port=0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("sweet.async.cluster.port");
        });
    }

    @Test
    void theApplicationsHazelcastInstanceWins() {
        String name = "sweet-boot-" + UUID.randomUUID();
        int base = freeBlock(2);
        HazelcastInstance own = Hazelcast.newHazelcastInstance(
                SweetAsyncClusterAutoConfiguration.EmbeddedMemberConfiguration.config(cluster(name, base)));
        try {
            runner.withBean(HazelcastInstance.class, () -> own).withPropertyValues("sweet.async.cluster.enabled=true")
                    .run(context -> {
                        assertThat(context).hasSingleBean(HazelcastInstance.class);
                        assertThat(context.getBean(HazelcastInstance.class)).isSameAs(own);
                        assertThat(context.getBean(TaskCluster.class)).isInstanceOf(HazelcastTaskCluster.class);
                        assertThat(context.getBean(TaskCluster.class).memberName()).isEqualTo("127.0.0.1:" + base);
                    });
        }
        finally {
            own.getLifecycleService().terminate();
        }
    }

    /**
     * The embedded member is the context's to stop (its {@code shutdown} as the context closes, after the
     * orchestrator's grace). Hazelcast also registered a JVM shutdown hook that terminates the member at once;
     * JVM hooks run together with Spring's, so on SIGTERM the member was gone while the orchestrator still let
     * its tasks finish: tasks placed on other members through it ended LOST, calls to it from other members
     * lost their outcomes (hazelcast/hazelcast#21123). No hook of the member's may be registered.
     */
    @Test
    void theEmbeddedMemberLeavesItsShutdownToTheContextNotToAJvmHook() {
        String name = "sweet-boot-" + UUID.randomUUID();
        int base = freeBlock(1);
        runner.withPropertyValues(member(name, base, 0)).run(context -> {
            HazelcastInstance member = context.getBean(HazelcastInstance.class);
            Node node = ((HazelcastInstanceProxy) member).getOriginal().node;
            Field hookField = Node.class.getDeclaredField("shutdownHookThread");
            hookField.setAccessible(true);
            Thread hook = (Thread) hookField.get(node);
            boolean registered = Runtime.getRuntime().removeShutdownHook(hook); // true: it was registered
            assertThat(registered).as("a JVM shutdown hook that terminates the embedded member").isFalse();
        });
    }

    @Test
    void springBootsHazelcastInstanceIsUsed() {
        String name = "sweet-boot-" + UUID.randomUUID();
        int base = freeBlock(1);
        runner.withConfiguration(AutoConfigurations.of(HazelcastAutoConfiguration.class))
                .withBean(Config.class,
                        () -> SweetAsyncClusterAutoConfiguration.EmbeddedMemberConfiguration.config(cluster(name, base)))
                .withPropertyValues("sweet.async.cluster.enabled=true").run(context -> {
                    assertThat(context).hasSingleBean(HazelcastInstance.class);
                    assertThat(context.getBean(HazelcastInstance.class).getConfig().getClusterName()).isEqualTo(name);
                    assertThat(context.getBean(TaskCluster.class).memberName()).isEqualTo("127.0.0.1:" + base);
                });
    }

    @Test
    void twoEmbeddedMembersShowEachOthersTasksAndCancelThemThroughTheEndpoint() {
        String name = "sweet-boot-" + UUID.randomUUID();
        int base = freeBlock(2);
        runner.withPropertyValues(member(name, base, 0)).withUserConfiguration(Handlers.class).run(a -> {
            runner.withPropertyValues(member(name, base, 1)).withUserConfiguration(Handlers.class).run(b -> {
                TaskOrchestrator onA = a.getBean(TaskOrchestrator.class);
                TaskOrchestrator onB = b.getBean(TaskOrchestrator.class);
                AsyncTasksEndpoint endpointA = a.getBean(AsyncTasksEndpoint.class);
                await().atMost(CEILING).until(() -> endpointA.tasks().members().size() == 2);

                SpawningTask<String> onlyOnB = onB.to(String.class).named("blocking").run(() -> hold());
                await().atMost(CEILING).until(() -> onlyOnB.status() == TaskStatus.RUNNING);
                String bName = b.getBean(TaskCluster.class).memberName();

                MemberTasksDescriptor seenFromA = endpointA.tasks().members().stream()
                        .filter(member -> member.member().equals(bName)).findFirst().orElseThrow();
                assertThat(seenFromA.local()).isFalse();
                assertThat(seenFromA.live()).extracting(TaskDescriptor::id).contains(onlyOnB.id().toString());
                assertThat(endpointA.task(onlyOnB.id().toString())).isNotNull();
                assertThat(a.getBean(AsyncLimitsEndpoint.class).limits(null).members()).containsKey(bName);

                AsyncTasksEndpoint.CancelDescriptor cancelled = endpointA.cancel(onlyOnB.id().toString());
                assertThat(cancelled).isNotNull();
                assertThat(cancelled.cancelled()).isTrue();
                await().atMost(CEILING).until(() -> onlyOnB.status() == TaskStatus.CANCELLED);
                assertThat(INTERRUPTED.getCount()).isZero();
                assertThat(onA.to(String.class).run(() -> "x").id().incarnation())
                        .isNotEqualTo(onlyOnB.id().incarnation());
                assertThat(endpointA.cancel(onlyOnB.id().toString())).isNull();

                // An @AsyncTask(placement = ANYWHERE) call from a busy member runs on the other one's bean, once
                // that member's load without the cancelled task is published (every load-interval): a call just
                // after the cancel may still see it busy, tie, and run here.
                SpawningTask<String> busy = onA.to(String.class).run(() -> hold());
                await().atMost(CEILING).until(() -> busy.status() == TaskStatus.RUNNING);
                await().atMost(CEILING).until(() -> onB.liveCount() == 0);
                await().atMost(CEILING).until(() -> a.getBean(Where.class).where("from-a").equals(bName + ":from-a"));
                busy.cancel();
            });
        });
    }

    @Test
    void theEndpointNestsAPlacedTaskUnderTheTaskThatPlacedItLabelledWithItsMember() {
        String name = "sweet-boot-" + UUID.randomUUID();
        int base = freeBlock(2);
        runner.withPropertyValues(member(name, base, 0)).withUserConfiguration(Placed.class).run(a -> {
            runner.withPropertyValues(member(name, base, 1)).withUserConfiguration(Placed.class).run(b -> {
                TaskOrchestrator onA = a.getBean(TaskOrchestrator.class);
                AsyncTasksEndpoint endpointA = a.getBean(AsyncTasksEndpoint.class);
                String aName = a.getBean(TaskCluster.class).memberName();
                String bName = b.getBean(TaskCluster.class).memberName();
                await().atMost(CEILING).until(() -> endpointA.tasks().members().size() == 2);
                // a is busier than b, so the @AsyncTask(placement = ANYWHERE) call below runs on b.
                SpawningTask<String> busy = onA.to(String.class).named("busy").run(() -> Blocker.hold("busy"));
                try {
                    await().atMost(CEILING).until(() -> busy.status() == TaskStatus.RUNNING);
                    SpawningTask<String> placer = onA.to(String.class).named("placer")
                            .run(() -> a.getBean(Blocker.class).block("placer"));
                    await().atMost(CEILING).until(() -> endpointA.tasks().members().stream()
                            .filter(member -> member.member().equals(bName))
                            .anyMatch(member -> member.live().stream().anyMatch(t -> t.tags().containsKey("placed-from"))));

                    TasksDescriptor tasks = endpointA.tasks();
                    ClusterTaskDescriptor root = tasks.cluster().stream()
                            .filter(t -> t.member().equals(aName) && t.task().id().equals(placer.id().toString()))
                            .findFirst().orElseThrow();
                    ClusterTaskDescriptor handle = root.children().getFirst(); // the anywhere task, on a
                    assertThat(handle.member()).isEqualTo(aName);
                    assertThat(handle.task().name()).isEqualTo("Blocker.block");
                    assertThat(handle.children()).hasSize(1);
                    ClusterTaskDescriptor placed = handle.children().getFirst();
                    assertThat(placed.member()).isEqualTo(bName);
                    assertThat(placed.task().tags()).containsEntry("placed-from", aName + "/" + handle.task().id());
                    assertThat(handle.task().childStatuses()).containsEntry("RUNNING", 1);
                    // Stitched under its handle, it is no root of its own; the members view still lists it apart.
                    assertThat(tasks.cluster()).noneMatch(t -> t.member().equals(bName)
                            && t.task().id().equals(placed.task().id()));
                    assertThat(tasks.cluster()).anyMatch(t -> t.member().equals(aName)
                            && t.task().id().equals(busy.id().toString()));
                    MemberTasksDescriptor onB = tasks.members().stream().filter(m -> m.member().equals(bName))
                            .findFirst().orElseThrow();
                    assertThat(onB.live()).extracting(TaskDescriptor::id).contains(placed.task().id());
                    assertThat(endpointA.tasks(null, null, null, null, 0).cluster()).isEmpty(); // bounded like the rest
                    // shaped like the rest: one level below each root, and below it only what is expanded
                    ClusterTaskDescriptor shallow = endpointA.tasks(null, null, null, null, 50, 1, null).cluster()
                            .stream().filter(t -> t.task().id().equals(placer.id().toString())).findFirst().orElseThrow();
                    assertThat(shallow.children()).hasSize(1);
                    assertThat(shallow.children().getFirst().children()).as("the handle's placed task, cut").isEmpty();
                    ClusterTaskDescriptor opened = endpointA.tasks(null, null, null, null, 50, 1,
                            handle.task().id()).cluster().stream()
                            .filter(t -> t.task().id().equals(placer.id().toString())).findFirst().orElseThrow();
                    assertThat(opened.children().getFirst().children()).extracting(t -> t.task().id())
                            .containsExactly(placed.task().id());

                    JsonNode json = JsonMapper.builder().build().valueToTree(tasks);
                    assertThat(json.has("members")).isTrue();
                    JsonNode placedJson = null;
                    for (JsonNode tree : json.get("cluster")) {
                        if (tree.get("task").get("id").asString().equals(placer.id().toString())) {
                            placedJson = tree.get("children").get(0).get("children").get(0);
                        }
                    }
                    assertThat(placedJson).isNotNull();
                    assertThat(placedJson.get("member").asString()).isEqualTo(bName);
                    assertThat(placedJson.get("task").get("id").asString()).isEqualTo(placed.task().id());

                    Blocker.RELEASE.countDown();
                    assertThat(placer.join()).isEqualTo(bName);
                    assertThat(busy.join()).isEqualTo("busy");
                }
                finally {
                    Blocker.RELEASE.countDown();
                }
            });
        });
    }

    @Test
    void aClusterWideGroupSplitsItsLimitBetweenTheMembersAndTheEndpointShowsTheShares() {
        String name = "sweet-boot-" + UUID.randomUUID();
        int base = freeBlock(2);
        String[] partner = { "sweet.async.groups.partner.cluster-wide=true", "sweet.async.groups.partner.algorithm=fixed",
                "sweet.async.groups.partner.initial-limit=5", "sweet.async.groups.partner.max-limit=5",
                "sweet.async.groups.local.algorithm=fixed", "sweet.async.groups.local.initial-limit=5" };
        runner.withPropertyValues(member(name, base, 0)).withPropertyValues(partner).run(a -> {
            runner.withPropertyValues(member(name, base, 1)).withPropertyValues(partner).run(b -> {
                AsyncLimitsEndpoint limits = a.getBean(AsyncLimitsEndpoint.class);
                String aName = a.getBean(TaskCluster.class).memberName();
                String bName = b.getBean(TaskCluster.class).memberName();
                // a joined first: it has the remainder
                await().atMost(CEILING).until(() -> {
                    var members = limits.limits(null).members();
                    return members.size() == 2 && members.get(aName).get("partner").limit() == 3
                            && members.get(bName).get("partner").limit() == 2;
                });
                AsyncLimitsEndpoint.GroupDescriptor shared = limits.limits(null).members().get(bName).get("partner");
                assertThat(shared.clusterLimit()).isEqualTo(5);
                assertThat(shared.members()).isEqualTo(2);
                AsyncLimitsEndpoint.GroupDescriptor local = limits.limits(null).members().get(bName).get("local");
                assertThat(local.limit()).isEqualTo(5);
                assertThat(local.clusterLimit()).isZero();
            });
            // b has left: a has the whole limit again
            await().atMost(CEILING).until(() -> a.getBean(TaskOrchestrator.class).limiter("partner").limit() == 5);
        });
    }

    private static String hold() throws InterruptedException {
        try {
            RELEASE.await();
            return "released";
        }
        catch (InterruptedException ex) {
            INTERRUPTED.countDown();
            throw ex;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Handlers {

        @Bean
        Where where(TaskCluster cluster) {
            return new Where(cluster);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Placed {

        @Bean
        Blocker blocker(TaskCluster cluster) {
            return new Blocker(cluster);
        }
    }

    /** Holds until released, then answers with the member it ran on. */
    static class Blocker {

        static final CountDownLatch RELEASE = new CountDownLatch(1);

        private final TaskCluster cluster;

        Blocker(TaskCluster cluster) {
            this.cluster = cluster;
        }

        @AsyncTask(placement = Placement.ANYWHERE)
        public String block(String caller) throws InterruptedException {
            return hold(cluster.memberName());
        }

        static String hold(String answer) throws InterruptedException {
            RELEASE.await();
            return answer;
        }
    }

    /** Answers with the member it runs on. */
    static class Where {

        private final TaskCluster cluster;

        Where(TaskCluster cluster) {
            this.cluster = cluster;
        }

        @AsyncTask(placement = Placement.ANYWHERE)
        public String where(String caller) {
            return cluster.memberName() + ":" + caller;
        }
    }

    private static SweetAsyncProperties.Cluster cluster(String name, int port) {
        SweetAsyncProperties.Cluster cluster = new SweetAsyncProperties.Cluster();
        cluster.setName(name);
        cluster.setPort(port);
        cluster.setPortCount(1);
        cluster.setBindAddress("127.0.0.1");
        cluster.setMembers(List.of("127.0.0.1:" + port));
        return cluster;
    }

    private static int freeBlock(int size) {
        for (int attempt = 0; attempt < 50; attempt++) {
            // Below Linux's ephemeral range (32768 on): a member connecting to a port that just closed in that
            // range can be given the same port as its own end and connect to itself ("Connecting to self!").
            int base = 20_000 + (int) (Math.random() * 12_000);
            boolean free = true;
            for (int port = base; port < base + size && free; port++) {
                try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    socket.setReuseAddress(true);
                }
                catch (IOException ex) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free ports");
    }
}

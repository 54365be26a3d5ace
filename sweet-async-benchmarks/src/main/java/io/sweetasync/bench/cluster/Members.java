package io.sweetasync.bench.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.hazelcast.HazelcastTaskCluster;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * Hazelcast members in this JVM on 127.0.0.1 (TCP-IP join, multicast and auto-detection off, a random
 * cluster name), each with an orchestrator that has the handlers {@code noop} and {@code hold}, and a
 * fixed group {@code g} of limit 1.
 */
final class Members implements AutoCloseable {

    final List<HazelcastInstance> hazelcast = new ArrayList<>();
    final List<HazelcastTaskCluster> clusters = new ArrayList<>();
    final List<TaskOrchestrator> orchestrators = new ArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);

    Members(int size) throws IOException, InterruptedException {
        String name = "sweet-bench-" + UUID.randomUUID();
        int base = freeBlock(size);
        for (int i = 0; i < size; i++) {
            HazelcastInstance instance = Hazelcast.newHazelcastInstance(config(name, base, size, i));
            HazelcastTaskCluster cluster = new HazelcastTaskCluster(instance);
            String member = cluster.memberName();
            hazelcast.add(instance);
            clusters.add(cluster);
            orchestrators.add(TaskOrchestrator.builder().cluster(cluster).historySize(0)
                    .group("g", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(1, 1, 1))
                    .handler("noop", String.class, any -> member)
                    .handler("hold", String.class, any -> {
                        release.await();
                        return member;
                    }).build());
        }
        while (hazelcast.stream().anyMatch(h -> h.getCluster().getMembers().size() < size)) {
            Thread.sleep(50);
        }
        Thread.sleep(1_000); // a few load publications, so that every member is a candidate everywhere
    }

    private static Config config(String clusterName, int base, int size, int index) {
        Config config = new Config();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.local.localAddress", "127.0.0.1");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.logging.type", "none");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(base + index).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        for (int i = 0; i < size; i++) {
            join.getTcpIpConfig().addMember("127.0.0.1:" + (base + i));
        }
        return config;
    }

    private static int freeBlock(int size) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 20_000 + (int) (Math.random() * 20_000);
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
        throw new IOException("no block of " + size + " free ports");
    }

    @Override
    public void close() {
        release.countDown();
        orchestrators.forEach(TaskOrchestrator::close);
        hazelcast.forEach(h -> h.getLifecycleService().terminate());
    }
}

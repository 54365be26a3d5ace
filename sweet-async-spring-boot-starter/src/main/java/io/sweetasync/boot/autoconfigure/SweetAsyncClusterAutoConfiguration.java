package io.sweetasync.boot.autoconfigure;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.sweetasync.hazelcast.HazelcastTaskCluster;
import io.sweetasync.spi.TaskCluster;
import java.time.Duration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The orchestrator as a member of a cluster of the application's replicas, with
 * {@code sweet.async.cluster.enabled=true} and {@code sweet-async-hazelcast} on the classpath: a
 * {@link HazelcastTaskCluster} on the application's {@link HazelcastInstance} (e.g. Spring Boot's, built
 * from {@code hazelcast.yaml}), or on an embedded member configured from {@code sweet.async.cluster.*}
 * (TCP-IP join with the listed members; multicast and auto-detection off). Without the property nothing
 * here applies, and Hazelcast need not be on the classpath; with it but without the module or Hazelcast, the
 * cluster backs off and a warning at start-up names what is missing.
 *
 * <pre>{@code
 * sweet.async.cluster.enabled=true
 * sweet.async.cluster.members=127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703
 * }</pre>
 */
@AutoConfiguration(afterName = "org.springframework.boot.hazelcast.autoconfigure.HazelcastAutoConfiguration",
        beforeName = "io.sweetasync.boot.autoconfigure.SweetAsyncAutoConfiguration")
@ConditionalOnClass({ HazelcastTaskCluster.class, HazelcastInstance.class })
@ConditionalOnProperty(prefix = "sweet.async.cluster", name = "enabled", havingValue = "true")
@EnableConfigurationProperties(SweetAsyncProperties.class)
public final class SweetAsyncClusterAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TaskCluster sweetAsyncTaskCluster(HazelcastInstance hazelcast, SweetAsyncProperties properties) {
        Duration interval = properties.getCluster().getLoadInterval();
        try {
            return new HazelcastTaskCluster(hazelcast, interval);
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidSweetAsyncPropertyException("sweet.async.cluster.load-interval", interval, ex.getMessage(),
                    "use a duration between 10ms and 1m");
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(HazelcastInstance.class)
    static class EmbeddedMemberConfiguration {

        @Bean(destroyMethod = "shutdown")
        @ConditionalOnMissingBean // as its class is: every bean of the starter backs off (SPEC 4)
        HazelcastInstance sweetAsyncHazelcastInstance(SweetAsyncProperties properties) {
            return Hazelcast.newHazelcastInstance(config(properties.getCluster()));
        }

        static Config config(SweetAsyncProperties.Cluster cluster) {
            OrchestratorFactory.checkCluster(cluster);
            Config config = new Config();
            config.setClusterName(cluster.getName());
            config.setProperty("hazelcast.phone.home.enabled", "false");
            // The context shuts the member down (its destroy method), after the orchestrator's grace. Hazelcast's
            // own JVM hook would terminate it at once, beside Spring's hook: on SIGTERM, while tasks still finish.
            config.setProperty("hazelcast.shutdownhook.enabled", "false");
            NetworkConfig network = config.getNetworkConfig();
            network.setPort(cluster.getPort()).setPortCount(cluster.getPortCount()).setPortAutoIncrement(cluster.getPortCount() > 1);
            if (cluster.getBindAddress() != null) {
                config.setProperty("hazelcast.socket.bind.any", "false");
                config.setProperty("hazelcast.local.localAddress", cluster.getBindAddress());
                network.getInterfaces().setEnabled(true).addInterface(cluster.getBindAddress());
            }
            JoinConfig join = network.getJoin();
            join.getMulticastConfig().setEnabled(false);
            join.getAutoDetectionConfig().setEnabled(false);
            join.getTcpIpConfig().setEnabled(true);
            cluster.getMembers().forEach(join.getTcpIpConfig()::addMember);
            return config;
        }
    }
}

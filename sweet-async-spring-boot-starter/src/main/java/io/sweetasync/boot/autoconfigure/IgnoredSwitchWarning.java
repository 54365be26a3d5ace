package io.sweetasync.boot.autoconfigure;

import io.sweetasync.spi.TaskCluster;
import io.sweetasync.spi.TaskStore;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.BeanFactoryUtils;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * {@code sweet.async.store.enabled=true} or {@code sweet.async.cluster.enabled=true} asks for a feature the
 * application cannot have: its module or library is not on the classpath, or what it is built on (a single
 * {@code DataSource}) is not there. The feature backs off then, as every optional feature of the starter does
 * when its library is absent; this says so at start-up, naming the property and what is missing, instead of
 * leaving the application to keep its tasks in memory only, or to run as a member alone, without a word.
 */
final class IgnoredSwitchWarning {

    private static final Log logger = LogFactory.getLog(IgnoredSwitchWarning.class);

    private IgnoredSwitchWarning() {
    }

    /** The store is switched on and the orchestrator has none: says why. */
    static void storeOff(ConfigurableListableBeanFactory beans) {
        String missing;
        if (!present("io.sweetasync.jdbc.JdbcTaskStore", beans)) {
            missing = "sweet-async-jdbc is not on the classpath; add io.sweetasync:sweet-async-jdbc";
        }
        else if (!present("org.springframework.boot.jdbc.EmbeddedDatabaseConnection", beans)
                || !present("org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy", beans)) {
            missing = "Spring Boot's JDBC support is not on the classpath; add "
                    + "org.springframework.boot:spring-boot-starter-jdbc";
        }
        else {
            String[] dataSources = BeanFactoryUtils.beanNamesForTypeIncludingAncestors(beans, DataSource.class, true,
                    false);
            missing = dataSources.length == 0 ? "there is no DataSource bean; configure one (spring.datasource.url)"
                    : dataSources.length > 1 ? notOne(dataSources, "DataSource")
                    : notOne(BeanFactoryUtils.beanNamesForTypeIncludingAncestors(beans, TaskStore.class, true, false),
                            "TaskStore");
        }
        logger.warn("sweet.async.store.enabled=true is ignored, tasks are kept in memory only (no history after a "
                + "restart, no durable tasks): " + missing + " (or remove the property)");
    }

    /** The cluster is switched on and the orchestrator has none: says why. */
    static void clusterOff(ConfigurableListableBeanFactory beans) {
        String missing;
        if (!present("io.sweetasync.hazelcast.HazelcastTaskCluster", beans)) {
            missing = "sweet-async-hazelcast is not on the classpath; add io.sweetasync:sweet-async-hazelcast";
        }
        else if (!present("com.hazelcast.core.HazelcastInstance", beans)) {
            missing = "Hazelcast is not on the classpath; add com.hazelcast:hazelcast, at the version the README's "
                    + "Cluster section gives";
        }
        else {
            missing = notOne(BeanFactoryUtils.beanNamesForTypeIncludingAncestors(beans, TaskCluster.class, true,
                    false), "TaskCluster");
        }
        logger.warn("sweet.async.cluster.enabled=true is ignored, this member runs alone: " + missing
                + " (or remove the property)");
    }

    /** Why no single bean of a type was taken: none (its auto-configuration excluded), or several. */
    private static String notOne(String[] names, String type) {
        return names.length == 0 ? "there is no " + type + " bean (is its Sweet Async auto-configuration excluded?)"
                : "there are " + names.length + " " + type + " beans (" + String.join(", ", names)
                        + ") and none of them is @Primary; mark the one to use @Primary";
    }

    private static boolean present(String className, ConfigurableListableBeanFactory beans) {
        return ClassUtils.isPresent(className, beans.getBeanClassLoader());
    }
}

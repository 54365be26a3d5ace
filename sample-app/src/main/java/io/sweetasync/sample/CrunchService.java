package io.sweetasync.sample;

import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.annotation.Placement;
import io.sweetasync.spi.TaskCluster;
import java.util.concurrent.CompletableFuture;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Simulated work that may run on any instance of the cluster: each call goes to the least loaded
 * member, whose bean runs it. Without a cluster it runs here.
 */
@Service
class CrunchService {

    private final ObjectProvider<TaskCluster> cluster;

    CrunchService(ObjectProvider<TaskCluster> cluster) {
        this.cluster = cluster;
    }

    /** Works for {@code millis} and answers with the member that did it. */
    @AsyncTask(name = "crunch", placement = Placement.ANYWHERE)
    public CompletableFuture<String> crunch(Long millis) throws InterruptedException {
        Thread.sleep(millis);
        TaskCluster here = cluster.getIfUnique();
        return CompletableFuture.completedFuture(here == null ? "local" : here.memberName());
    }
}

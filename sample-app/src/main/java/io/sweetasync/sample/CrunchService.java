package io.sweetasync.sample;

import io.sweetasync.TaskId;
import io.sweetasync.TaskOrchestrator;
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

    static final String HANDLER = "crunch-for";

    private final ObjectProvider<TaskCluster> cluster;
    private final TaskOrchestrator orchestrator;

    CrunchService(ObjectProvider<TaskCluster> cluster, TaskOrchestrator orchestrator) {
        this.cluster = cluster;
        this.orchestrator = orchestrator;
        orchestrator.handler(HANDLER, Long.class, this::work);
    }

    /** The same work with the plain API: started at once on the least loaded member; returns its handle's id. */
    TaskId start(long millis) {
        return orchestrator.to(String.class).named("crunch").anywhere().run(HANDLER, millis).id();
    }

    private String work(Long millis) throws InterruptedException {
        Thread.sleep(millis);
        return member();
    }

    private String member() {
        TaskCluster here = cluster.getIfUnique();
        return here == null ? "local" : here.memberName();
    }

    /** Works for {@code millis} and answers with the member that did it. */
    @AsyncTask(name = "crunch", placement = Placement.ANYWHERE)
    public CompletableFuture<String> crunch(Long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) { // cancelled: the task ends CANCELLED
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(ex);
        }
        return CompletableFuture.completedFuture(member());
    }
}

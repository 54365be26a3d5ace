package io.sweetasync.emit;

import io.sweetasync.TaskOrchestrator;
import java.util.Objects;

/**
 * A pipeline with its source; add the receiver.
 *
 * <pre>{@code
 * .receiver(ReceiverStrategy.parallel(4), (event, collector) -> collector.collect(event.sequence(), handle(event.data())))
 * }</pre>
 */
public final class SendingStage<E> {

    private final TaskOrchestrator orchestrator;
    private final PipelineSpec spec;
    private final SenderStrategy senderStrategy;
    private final Sender<E> sender;

    SendingStage(TaskOrchestrator orchestrator, PipelineSpec spec, SenderStrategy senderStrategy, Sender<E> sender) {
        this.orchestrator = orchestrator;
        this.spec = spec;
        this.senderStrategy = senderStrategy;
        this.sender = sender;
    }

    /** One serial receiver. */
    public <K, V> ReceivingStage<E, K, V> receiver(Receiver<E, K, V> receiver) {
        return receiver(ReceiverStrategy.serial(), receiver);
    }

    /** Receivers run as {@code strategy} says. */
    public <K, V> ReceivingStage<E, K, V> receiver(ReceiverStrategy strategy, Receiver<E, K, V> receiver) {
        return new ReceivingStage<>(orchestrator, spec, senderStrategy, sender, Objects.requireNonNull(strategy, "strategy"),
                Objects.requireNonNull(receiver, "receiver"));
    }
}

package io.sweetasync.review16;

import static org.assertj.core.api.Assertions.assertThat;

import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.emit.EmittingTask;
import io.sweetasync.emit.FinalEvent;
import io.sweetasync.emit.PipelineProgress;
import io.sweetasync.emit.ReceiverStrategy;
import io.sweetasync.emit.Sources;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** README "Streaming pipelines": counts, worker names and the sources' edges. */
@Timeout(60)
class Review16ReadmePipelineCountsTest {

    final TaskOrchestrator orchestrator = TaskOrchestrator.builder().build();

    @AfterEach
    void close() {
        orchestrator.close();
    }

    // "its sender and receivers are child tasks, each with its own count in its snapshot's progress (emitted by
    // that sender, received by that receiver), and the pipeline's progress shows emitted, received, errors, buffer
    // fill and worker counts"; "workers are named name.sender/name.receiver"
    @Test
    void workersAreNamedChildrenWithTheirOwnCountsAndThePipelineCountsEveryEvent() {
        EmittingTask<Integer, Integer> pipeline = orchestrator.emits(Integer.class).named("r16-counts")
                .sender(emitter -> emitter.emitAll(IntStream.range(0, 100).boxed().toList()))
                .<Integer, Integer>receiver(ReceiverStrategy.parallel(3), (event, collector) -> {
                    if (event.data() % 10 == 0) {
                        throw new IllegalStateException("bad " + event.data());
                    }
                    collector.collect(event.data(), event.data());
                })
                .run();
        FinalEvent<Integer, Integer> done = pipeline.join();
        assertThat(done.emitted()).isEqualTo(100);
        assertThat(done.received()).isEqualTo(100);
        assertThat(done.errors()).hasSize(10);
        PipelineProgress progress = pipeline.progress();
        assertThat(progress.emitted()).isEqualTo(100);
        assertThat(progress.received()).isEqualTo(100);
        assertThat(progress.errors()).isEqualTo(10);
        assertThat(progress.buffered()).isZero();

        TaskInfo tree = orchestrator.find(pipeline.id()).orElseThrow();
        assertThat(tree.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(tree.childCount()).isEqualTo(4);
        List<String> names = tree.children().stream().map(TaskInfo::name).toList();
        assertThat(names).containsOnly("r16-counts.sender", "r16-counts.receiver");
        assertThat(names).filteredOn("r16-counts.sender"::equals).hasSize(1);
        long senderEmitted = tree.children().stream().filter(c -> c.name().endsWith(".sender"))
                .mapToLong(c -> c.progress().get("emitted")).sum();
        long receiversReceived = tree.children().stream().filter(c -> c.name().endsWith(".receiver"))
                .mapToLong(c -> c.progress().getOrDefault("received", 0L)).sum();
        assertThat(senderEmitted).isEqualTo(100);
        assertThat(receiversReceived).isEqualTo(100);
        assertThat(tree.progress()).containsKeys("emitted", "received", "errors");
    }

    // "Sources.chunked(source, 100)"
    @Test
    void chunkedHandsOverListsOfAtMostTheSizeInOrder() {
        List<List<Integer>> chunks = new CopyOnWriteArrayList<>();
        FinalEvent<Integer, Integer> done = orchestrator.<List<Integer>>emits().named("r16-chunked")
                .sender(Sources.chunked(IntStream.range(0, 250).boxed().toList(), 100))
                .<Integer, Integer>receiver(ReceiverStrategy.serial(), (event, collector) -> chunks.add(event.data()))
                .awaitFinalEvent();
        assertThat(done.errors()).isEmpty();
        assertThat(chunks).extracting(List::size).containsExactly(100, 100, 50);
        List<Integer> all = new ArrayList<>();
        chunks.forEach(all::addAll);
        assertThat(all).isEqualTo(IntStream.range(0, 250).boxed().toList());
    }

    // "Sources.lines(path) (streamed; a byte its charset cannot decode is the sender's error, and the lines read
    // ahead with it, up to about 8 K characters before it, are not emitted)"
    @Test
    void aLineSourceStopsAtAnUndecodableByteLosingAtMostAbout8KCharactersBeforeIt(@TempDir Path dir)
            throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> good = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            String line = "line-" + String.format("%05d", i);
            good.add(line);
            bytes.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        bytes.write(0xFF);
        bytes.writeBytes("after-the-bad-byte\n".getBytes(StandardCharsets.UTF_8));
        Path file = dir.resolve("bad.txt");
        Files.write(file, bytes.toByteArray());
        List<String> seen = new CopyOnWriteArrayList<>();
        FinalEvent<String, String> done = orchestrator.emits(String.class).named("r16-lines").sequence()
                .sender(Sources.lines(file))
                .<String, String>receiver(ReceiverStrategy.serial(), (event, collector) -> seen.add(event.data()))
                .awaitFinalEvent();
        assertThat(done.errors()).hasSize(1);
        assertThat(seen).doesNotContain("after-the-bad-byte");
        assertThat(seen).isEqualTo(good.subList(0, seen.size()));
        int lostChars = 0;
        for (String line : good.subList(seen.size(), good.size())) {
            lostChars += line.length() + 1;
        }
        assertThat(lostChars).as("characters read ahead and not emitted").isLessThanOrEqualTo(8_192 + 64);
    }
}

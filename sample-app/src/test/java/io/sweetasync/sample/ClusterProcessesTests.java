package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three sample-app processes as a cluster on loopback (profile {@code cluster}, one shared H2 store), one
 * killed with SIGKILL mid-flight: the tasks placed on it from a survivor end FAILED with TaskLostException
 * naming it, the rest run on, its durable receipt runs again on a survivor and completes, and a survivor's
 * endpoint shows the whole cluster before and only the survivors after.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ClusterProcessesTests {

    private static final Pattern ID = Pattern.compile("\"([0-9]+-[0-9]+)\"");
    private static final Duration SLOW = Duration.ofSeconds(180);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> processes = new ArrayList<>();
    private final String clusterName = "sample-test-" + UUID.randomUUID();

    @TempDir
    Path data;

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void aKilledMembersWorkIsAccountedForAndDurableWorkCompletes() throws Exception {
        try {
            killOneOfThree();
        }
        catch (Exception | AssertionError failure) {
            failure.addSuppressed(new AssertionError("the members' logs, last lines:\n" + logTails(120)));
            throw failure;
        }
    }

    private void killOneOfThree() throws Exception {
        int hazelcast = freeBlock(3);
        int[] web = { freeBlock(1), 0, 0 };
        String members = "127.0.0.1:" + hazelcast + ",127.0.0.1:" + (hazelcast + 1) + ",127.0.0.1:" + (hazelcast + 2);
        start(0, web[0], hazelcast, members, "50ms"); // first: it hosts the shared H2 database
        web[1] = freeBlock(1);
        start(1, web[1], hazelcast + 1, members, "50ms");
        web[2] = freeBlock(1);
        Process victim = start(2, web[2], hazelcast + 2, members, "10m");
        String victimName = "127.0.0.1:" + (hazelcast + 2);
        await().atMost(SLOW).until(() -> count(members(get(web[0], "/actuator/asynctasks")), "\"member\"") == 3);
        // A member shows in the view once it published its load, which may be from before its beans registered
        // their handlers: until the first member has seen each one's handlers, it places nothing there. Three
        // short crunches that ran on three members show it has (the annotated method's handler is registered
        // after the service's own, at the end of start-up, and a load carries every handler registered then).
        await().atMost(SLOW).until(() -> count(post(web[0], "/crunch?tasks=3&millis=0", 200), "127.0.0.1:") == 3);

        // Six tasks from the first member on an idle cluster: two each (ties go to the placing member). Each
        // handle says RUNNING once its work began where it was placed; then the members' views show them all.
        List<String> crunches = ids(post(web[0], "/crunch/start?tasks=6&millis=600000", 200));
        await().atMost(SLOW).untilAsserted(() -> {
            for (String id : crunches) {
                assertThat(get(web[0], "/actuator/asynctasks/" + id)).contains("\"status\":\"RUNNING\"");
            }
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String placed = members(get(web[0], "/actuator/asynctasks"));
            assertThat(count(placed, "\"placed-from\"")).as("tasks placed on the two other members: %s", placed)
                    .isEqualTo(4);
        });
        String receipt = ids(post(web[2], "/api/receipts/o-1?sendMillis=600000", 202)).getFirst();
        String view = get(web[0], "/actuator/asynctasks");
        assertThat(view).contains(victimName).contains("send-receipt");

        victim.destroyForcibly(); // SIGKILL
        assertThat(victim.waitFor(60, TimeUnit.SECONDS)).isTrue();

        List<String> lost = new ArrayList<>();
        await().atMost(SLOW).untilAsserted(() -> {
            lost.clear();
            for (String id : crunches) {
                String task = get(web[0], "/actuator/asynctasks/" + id);
                if (task.contains("TaskLostException")) {
                    assertThat(task).contains("\"status\":\"FAILED\"").contains(victimName);
                    lost.add(id);
                }
                else {
                    assertThat(task).contains("\"status\":\"RUNNING\"");
                }
            }
            assertThat(lost).hasSize(2);
        });
        await().atMost(SLOW).untilAsserted(() -> assertThat(get(web[0], "/api/receipts/" + receipt))
                .contains("\"status\":\"COMPLETED\"").contains("\"attempt\":2"));
        await().atMost(SLOW).until(() -> count(members(get(web[1], "/actuator/asynctasks")), "\"member\"") == 2);
        assertThat(members(get(web[1], "/actuator/asynctasks"))).as("the survivors' view of the members")
                .doesNotContain(victimName); // the failed and history lists name it, in the lost tasks' failures
    }

    private String logTails(int lines) throws IOException {
        StringBuilder tails = new StringBuilder();
        for (int index = 0; index < processes.size(); index++) {
            Path log = data.resolve("member-" + index + ".log");
            List<String> all = Files.exists(log) ? Files.readAllLines(log) : List.of();
            tails.append("---- member ").append(index).append(" (").append(all.size()).append(" lines)\n");
            all.subList(Math.max(0, all.size() - lines), all.size()).forEach(line -> tails.append(line).append('\n'));
        }
        return tails.toString();
    }

    /**
     * The members' part of an {@code asynctasks} answer: its history page may list placed tasks too, and the
     * stitched {@code cluster} forest after it lists every live task again, each node with its member.
     */
    private static String members(String view) {
        int at = view.indexOf("\"members\"");
        if (at < 0) {
            return "";
        }
        int cluster = view.indexOf("\"cluster\"", at);
        return cluster < 0 ? view.substring(at) : view.substring(at, cluster);
    }

    private Process start(int index, int port, int hazelcastPort, String members, String maxSend) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = data.resolve("member-" + index + ".log");
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.sweetasync.sample.SampleApplication", "--spring.profiles.active=cluster", "--server.port=" + port,
                "--sample.data-dir=" + data.resolve("db"), "--sweet.async.store.lease=3s",
                "--sweet.async.cluster.name=" + clusterName, "--sweet.async.cluster.port=" + hazelcastPort,
                "--sweet.async.cluster.port-count=1", "--sweet.async.cluster.members=" + members,
                "--sweet.async.shutdown.grace=0s", "--sample.receipts.max-send=" + maxSend,
                "--spring.main.banner-mode=off")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Process process = builder.start();
        processes.add(process);
        try {
            await().atMost(SLOW).pollInterval(Duration.ofMillis(500)).until(() -> !process.isAlive() || healthy(port));
        }
        catch (RuntimeException ex) {
            throw new AssertionError("member " + index + " did not start; its log:\n" + Files.readString(log), ex);
        }
        assertThat(process.isAlive()).as("member %s exited; its log:\n%s", index, Files.readString(log)).isTrue();
        return process;
    }

    private boolean healthy(int port) {
        try {
            return get(port, "/actuator/health").contains("\"UP\"");
        }
        catch (IOException | InterruptedException ex) {
            return false;
        }
    }

    private String get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private String post(int port, String path, int status) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return response.body();
    }

    private static List<String> ids(String json) {
        List<String> ids = new ArrayList<>();
        Matcher matcher = ID.matcher(json);
        while (matcher.find()) {
            ids.add(matcher.group(1));
        }
        assertThat(ids).as(json).isNotEmpty();
        return ids;
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    private static int freeBlock(int size) throws IOException {
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
        throw new IOException("no block of " + size + " free ports");
    }
}

package io.sweetasync.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.sweetasync.SpawningTask;
import io.sweetasync.TaskInfo;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.hazelcast.HazelcastTaskCluster;
import io.sweetasync.limit.LimitAlgorithm;
import io.sweetasync.limit.LimiterConfig;
import io.sweetasync.spi.TaskCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The dashboard's members view in a real (headless) Chromium: the sample app is one member of a cluster on
 * loopback, a plain orchestrator on a second Hazelcast member in this JVM is the other. Work placed from the
 * app on the idle member is drawn under the task that placed it, labelled with the member it runs on. The
 * context is closed afterwards, so that its Hazelcast member does not outlive the class.
 */
@Timeout(180)
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "spring.datasource.url=jdbc:h2:mem:dashboard-cluster-${random.uuid};DB_CLOSE_DELAY=-1",
                "sweet.async.groups.partner.cluster-wide=true", "sweet.async.groups.partner.algorithm=fixed",
                "sweet.async.groups.partner.initial-limit=5", "sweet.async.groups.partner.max-limit=5",
                "management.endpoint.asynctasks.access=unrestricted" })
class DashboardClusterBrowserTests {

    private static final Duration CEILING = Duration.ofSeconds(60);
    private static final String HANDLER = "hold-for-dashboard";
    private static final String CLUSTER = "dashboard-test-" + UUID.randomUUID();
    private static final int BASE = freeBlock(2);
    /** Released after every test; a fresh one before the next. */
    private static volatile CountDownLatch release = new CountDownLatch(1);
    private static volatile CountDownLatch interrupted = new CountDownLatch(1);
    /** The app's orchestrator lives as long as the class's context: its handler is registered once. */
    private static final AtomicBoolean REGISTERED = new AtomicBoolean();

    @DynamicPropertySource
    static void cluster(DynamicPropertyRegistry registry) {
        registry.add("sweet.async.cluster.enabled", () -> "true");
        registry.add("sweet.async.cluster.name", () -> CLUSTER);
        registry.add("sweet.async.cluster.bind-address", () -> "127.0.0.1");
        registry.add("sweet.async.cluster.port", () -> BASE);
        registry.add("sweet.async.cluster.port-count", () -> 1);
        registry.add("sweet.async.cluster.members", () -> "127.0.0.1:" + BASE + ",127.0.0.1:" + (BASE + 1));
        registry.add("sweet.async.cluster.load-interval", () -> "50ms");
    }

    @LocalServerPort
    int port;

    @Autowired
    TaskOrchestrator orchestrator;

    @Autowired
    TaskCluster cluster;

    private HazelcastInstance otherMember;
    private HazelcastTaskCluster otherCluster;
    private TaskOrchestrator other;
    private Browser browser;

    @BeforeEach
    void joinASecondMemberAndOpenTheBrowser() throws Exception {
        otherMember = Hazelcast.newHazelcastInstance(config());
        otherCluster = new HazelcastTaskCluster(otherMember, Duration.ofMillis(50));
        other = TaskOrchestrator.builder().cluster(otherCluster).handler(HANDLER, String.class, any -> hold())
                .group("partner", LimiterConfig.defaults().withAlgorithm(LimitAlgorithm.FIXED).withLimits(5, 1, 5)
                        .withClusterWide(true))
                .build();
        if (REGISTERED.compareAndSet(false, true)) {
            orchestrator.handler(HANDLER, String.class, any -> hold());
        }
        await().atMost(CEILING).until(() -> cluster.members().size() == 2);
        browser = Browser.open();
        browser.driver().get("http://localhost:" + port + "/sweet-async");
        browser.await(d -> d.findElement(By.id("summary")).getText().contains("live tasks"));
    }

    @AfterEach
    void leave() throws Exception {
        release.countDown();
        release = new CountDownLatch(1);
        interrupted = new CountDownLatch(1);
        try {
            if (browser != null) {
                browser.close();
            }
        }
        finally {
            if (other != null) {
                other.close();
            }
            if (otherMember != null) {
                otherMember.getLifecycleService().terminate();
            }
        }
    }

    @Test
    void theMembersViewShowsEachMembersLoadAndPlacedWorkUnderTheTaskThatPlacedIt() {
        String app = cluster.memberName();
        String idle = otherCluster.memberName();
        // The app's member is busy with one task: work placed from it goes to the idle member.
        SpawningTask<String> busy = orchestrator.to(String.class).named("busy").run(DashboardClusterBrowserTests::hold);
        await().atMost(CEILING).until(() -> busy.status() == TaskStatus.RUNNING);
        await().atMost(CEILING).until(() -> orchestrator.limiter("partner").limit() == 3); // 3 + 2 of 5
        SpawningTask<String> handle = orchestrator.to(String.class).named("placed").anywhere().run(HANDLER, "x");
        String handleId = handle.id().toString();
        TaskInfo placed = await().atMost(CEILING).until(() -> other.roots().stream()
                .filter(root -> (app + "/" + handleId).equals(root.tags().get("placed-from"))).findFirst().orElse(null),
                found -> found != null);

        browser.await(d -> d.findElement(By.id("members")).isDisplayed());
        browser.await(d -> d.findElements(By.cssSelector("#member-loads tr.member")).size() == 2);
        // read in one script: the page replaces these rows at every refresh
        String appLoad = browser.await(d -> text("#member-loads tr.member[data-member='" + app + "']"));
        assertThat(appLoad).contains("this member").contains("partner 0/3 (share of 5 over 2)");
        browser.await(d -> {
            String idleLoad = text("#member-loads tr.member[data-member='" + idle + "']");
            return idleLoad != null && idleLoad.contains("partner 0/2 (share of 5 over 2)");
        });

        // the handle's row, then the work it placed, indented under it and labelled with the idle member
        @SuppressWarnings("unchecked")
        List<String> stitched = browser.await(d -> {
            List<String> rows = (List<String>) browser.script("""
                    const rows = Array.from(document.querySelectorAll('#member-trees tbody tr'));
                    const i = rows.findIndex((r) => r.dataset.id === arguments[0] && r.dataset.member === arguments[1]);
                    if (i < 0 || i + 1 >= rows.length) return null;
                    const next = rows[i + 1];
                    return [rows[i].innerText, next.dataset.id, next.dataset.member, next.innerText,
                        rows[i].cells[0].style.paddingLeft, next.cells[0].style.paddingLeft];
                    """, handleId, app);
            return rows != null && rows.get(1).equals(placed.id().toString()) ? rows : null;
        });
        assertThat(stitched.get(0)).contains("placed").contains("runs on " + idle + " as #" + placed.id());
        assertThat(stitched.get(2)).isEqualTo(idle);
        assertThat(stitched.get(3)).contains("placed from " + app + " by #" + handleId);
        assertThat(stitched.get(5)).isNotEqualTo(stitched.get(4));
        browser.screenshot("members-view");

        release.countDown();
        assertThat(handle.join()).isEqualTo("released");
    }

    /**
     * SPEC 7 and 8: "a cancel button when writes are allowed" and "cancel by id works wherever the task runs":
     * a task that runs on the other member, chosen in the members view, shows its detail with a cancel button,
     * and the button cancels it there, interrupting its body.
     */
    @Test
    void aTaskOnTheOtherMemberIsCancelledWithItsDetailsCancelButton() {
        String idle = otherCluster.memberName();
        SpawningTask<String> far = other.to(String.class).named("far-away").run(DashboardClusterBrowserTests::hold);
        String id = far.id().toString();
        await().atMost(CEILING).until(() -> far.status() == TaskStatus.RUNNING);

        By row = By.cssSelector("#member-trees tr.task[data-id='" + id + "'][data-member='" + idle + "'] .name");
        browser.await(d -> d.findElements(row).size() == 1);
        assertThat(browser.driver().findElement(By.id("access")).getText()).isEqualTo("cancel allowed");
        browser.click(row);
        browser.await(d -> d.findElement(By.id("detail-title")).getText().equals("far-away#" + id));
        browser.await(d -> d.findElement(By.id("detail-cancel")).isDisplayed());
        browser.click(By.id("detail-cancel"));

        await().atMost(CEILING).until(() -> far.status().isTerminal());
        assertThat(far.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(interrupted.getCount()).isZero();
    }

    /** The text of what {@code selector} finds now, or null. */
    private String text(String selector) {
        return (String) browser.script("const found = document.querySelector(arguments[0]);"
                + " return found ? found.innerText : null;", selector);
    }

    private static String hold() throws InterruptedException {
        try {
            release.await();
            return "released";
        }
        catch (InterruptedException ex) {
            interrupted.countDown();
            throw ex;
        }
    }

    private static Config config() {
        Config config = new Config();
        config.setClusterName(CLUSTER);
        config.setInstanceName(CLUSTER + "-other");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.local.localAddress", "127.0.0.1");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.logging.type", "jdk");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(BASE + 1).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + BASE).addMember("127.0.0.1:" + (BASE + 1));
        return config;
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
        throw new IllegalStateException("no block of " + size + " free ports found");
    }
}

package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.jdbc.JdbcTaskStore;
import io.sweetasync.jdbc.TaskStoreException;
import java.util.function.Supplier;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * SPEC 6: an orchestrator whose build fails (its store unreachable as the application starts, a handler name
 * registered twice) leaves nothing running behind: the build may be tried again, by a start-up that waits for its
 * database, and a caller that never got the orchestrator cannot close what it started.
 */
class FailedBuildTest {

    private static long runningRecordings() {
        if (!FlightRecorder.isAvailable()) {
            return 0;
        }
        return FlightRecorder.getFlightRecorder().getRecordings().stream().map(Recording::getState)
                .filter(state -> state == RecordingState.RUNNING || state == RecordingState.DELAYED).count();
    }

    private static void assertLeavesNothingRunning(Supplier<TaskOrchestrator> build,
            Class<? extends Throwable> failure) {
        long before = runningRecordings();
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(build::get).isInstanceOf(failure);
        }
        assertThat(runningRecordings()).as("JDK Flight Recorder streams still running").isEqualTo(before);
    }

    @Test
    void aBuildWhoseStoreCannotBeReachedLeavesNoSamplerRunning() {
        JdbcDataSource nowhere = new JdbcDataSource();
        nowhere.setURL("jdbc:h2:mem:failed-build-nowhere;IFEXISTS=TRUE");
        assertLeavesNothingRunning(() -> TaskOrchestrator.builder().store(new JdbcTaskStore(nowhere))
                .resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE).build(), TaskStoreException.class);
    }

    @Test
    void aBuildWithAHandlerNameTwiceLeavesNoSamplerRunning() {
        assertLeavesNothingRunning(() -> TaskOrchestrator.builder().handler("twice", String.class, s -> s)
                .handler("twice", String.class, s -> s).resourceTracking(ResourceTracking.MEASURE_AND_SAMPLE).build(),
                IllegalStateException.class);
    }
}

package io.sweetasync;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that should not share the machine's CPUs with another test JVM: it checks the resource figures
 * sampled through JDK Flight Recorder (CPU-time samples, allocation and IO events), which by design turn
 * {@code UNAVAILABLE} when the recording's stream falls behind or loses samples, as another JVM's load beside it
 * makes likelier; these tests count on figures being available in most rounds. The core module's build runs these
 * classes in a surefire execution of their own, one JVM, after the others ran in two ({@code runs-alone} in
 * sweet-async-core/pom.xml).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(RunsAlone.TAG)
public @interface RunsAlone {

    /** The JUnit tag the build selects these classes by. */
    String TAG = "runs-alone";
}

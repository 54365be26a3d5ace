package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Review of "a retry policy naming a class the running member cannot load runs under its defaults, with a
 * warning": when the handler's class comes from a parent loader (a library, as the Spring starter's handler
 * lambda does) and the application's exception class from a child-first loader (Spring Boot devtools' restart
 * loader, an application server), the parent loads a different class of the same name, and the re-run's policy
 * silently no longer matches the errors the body throws: no retries, no warning.
 */
class DurableSettingsLoaderReviewTest {

    /** The application's exception. */
    public static final class Boom extends RuntimeException {
        public Boom() {
            super("boom");
        }
    }

    @Test
    @Disabled("review finding, not fixed: DurableSettings.loaderOf picks the handler's class loader; a handler "
            + "class from a parent loader resolves the stored name to another class than the one the body throws "
            + "(child-first loader), so the re-run's retryOn never matches, silently (the starter's handler is its "
            + "own lambda, so with devtools' restart loader an @AsyncTask(durable = true, retryOn = ...) re-run is "
            + "not retried). Needs a design choice: the loader of the application (bean class) at registration")
    void aRetriedTypeOfAChildFirstLoaderIsTheTypeTheReRunRetries() throws Exception {
        URL classes = Boom.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader application = new ChildFirst(classes, Boom.class.getClassLoader())) {
            @SuppressWarnings("unchecked")
            Class<? extends Throwable> boom = (Class<? extends Throwable>) application.loadClass(Boom.class.getName());
            assertThat(boom).isNotSameAs(Boom.class);
            RetryPolicy written = RetryPolicy.fixed(2, Duration.ofMillis(10)).retryOn(boom);
            String text = DurableSettings.write("t", null, written);
            // The re-run's member: the handler's class is the library's (a parent loader), its argument String[].
            ClassLoader loader = DurableSettings.loaderOf(DurableSettingsLoaderReviewTest.class, String[].class);
            RetryPolicy read = DurableSettings.apply(TaskSpec.empty(), text, loader).retry();
            Throwable thrown = boom.getConstructor().newInstance();
            assertThat(written.nextDelay(1, thrown, 0.5)).isEqualTo(Duration.ofMillis(10));
            assertThat(read.nextDelay(1, thrown, 0.5)).as("the re-run retries what the body throws")
                    .isEqualTo(Duration.ofMillis(10));
        }
    }

    /** Loads {@link Boom} itself, everything else from its parent. */
    private static final class ChildFirst extends URLClassLoader {

        ChildFirst(URL classes, ClassLoader parent) {
            super(new URL[] {classes}, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.equals(Boom.class.getName())) {
                synchronized (getClassLoadingLock(name)) {
                    Class<?> loaded = findLoadedClass(name);
                    return loaded != null ? loaded : findClass(name);
                }
            }
            return super.loadClass(name, resolve);
        }
    }
}

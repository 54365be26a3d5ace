package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Review of "a retry policy naming a class the running member cannot load runs under its defaults, with a
 * warning": when the handler's class comes from a parent loader (a library, as the Spring starter's handler
 * lambda does) and the application's exception class from a child-first loader (Spring Boot devtools' restart
 * loader, an application server), the parent loads a different class of the same name, and the re-run's policy
 * silently no longer matched the errors the body throws: no retries, no warning. The names are now loaded
 * with the context loader of the thread that registered the handler.
 */
class DurableSettingsLoaderReviewTest {

    /** The application's exception. */
    public static final class Boom extends RuntimeException {
        public Boom() {
            super("boom");
        }
    }

    @Test
    void aRetriedTypeOfAChildFirstLoaderIsTheTypeTheReRunRetries() throws Exception {
        URL classes = Boom.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader application = new ChildFirst(classes, Boom.class.getClassLoader())) {
            @SuppressWarnings("unchecked")
            Class<? extends Throwable> boom = (Class<? extends Throwable>) application.loadClass(Boom.class.getName());
            assertThat(boom).isNotSameAs(Boom.class);
            RetryPolicy written = RetryPolicy.fixed(2, Duration.ofMillis(10)).retryOn(boom);
            String text = DurableSettings.write("t", null, written);
            // The re-run's member: the handler's class is the library's (a parent loader), its argument String[];
            // the application registers it from a thread whose context loader is its own (as Spring's do).
            Thread thread = Thread.currentThread();
            ClassLoader before = thread.getContextClassLoader();
            Durables.Registration<String[]> registration;
            thread.setContextClassLoader(application);
            try {
                registration = new Durables.Registration<>("h", String[].class, arguments -> "x");
            }
            finally {
                thread.setContextClassLoader(before);
            }
            RetryPolicy read = DurableSettings.apply(TaskSpec.empty(), text, registration.loader()).retry();
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

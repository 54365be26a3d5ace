package io.sweetasync.boot.autoconfigure;

import io.sweetasync.annotation.AsyncTask;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Without AspectJ on the classpath the {@code @AsyncTask} aspect is off, and annotated methods run as plain
 * calls on the caller's thread (no timeout, retries or task): this says so once at start-up, naming them,
 * instead of leaving a new user to find out.
 */
final class InertAsyncTaskWarning implements SmartInitializingSingleton {

    private static final Log logger = LogFactory.getLog(InertAsyncTaskWarning.class);
    private static final int NAMED = 5;

    private final ConfigurableListableBeanFactory beans;

    InertAsyncTaskWarning(ConfigurableListableBeanFactory beans) {
        this.beans = beans;
    }

    @Override
    public void afterSingletonsInstantiated() {
        List<String> annotated = new ArrayList<>();
        for (String name : beans.getBeanNamesForType(Object.class, false, false)) {
            Class<?> type = beans.getType(name, false);
            if (type == null) {
                continue;
            }
            addAnnotated(ClassUtils.getUserClass(type), annotated);
        }
        if (!annotated.isEmpty()) {
            logger.warn(noEffectOn(annotated) + ": its aspect needs AspectJ on the classpath, so these methods run as "
                    + "plain calls on the caller's thread; add org.springframework.boot:spring-boot-starter-aspectj");
        }
    }

    /** Adds {@code Type.method()} for each {@code @AsyncTask} method {@code target} declares or inherits. */
    static void addAnnotated(Class<?> target, List<String> into) {
        for (Method method : ReflectionUtils.getUniqueDeclaredMethods(target, ReflectionUtils.USER_DECLARED_METHODS)) {
            if (AnnotatedElementUtils.hasAnnotation(method, AsyncTask.class)) {
                into.add(target.getSimpleName() + "." + method.getName() + "()");
            }
        }
    }

    /** The start of such a warning, naming the first {@value #NAMED} of {@code methods} and how many more. */
    static String noEffectOn(List<String> methods) {
        return "@AsyncTask has no effect on " + String.join(", ", methods.subList(0, Math.min(NAMED, methods.size())))
                + (methods.size() > NAMED ? " and " + (methods.size() - NAMED) + " more" : "");
    }
}

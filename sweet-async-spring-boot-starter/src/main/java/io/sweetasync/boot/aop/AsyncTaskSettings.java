package io.sweetasync.boot.aop;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskPriority;
import io.sweetasync.annotation.AsyncTask;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.scheduling.annotation.Async;
import org.springframework.util.StringValueResolver;

/**
 * Turns a method's {@link AsyncTask @AsyncTask} into the task settings its calls run with: resolves the
 * attributes' placeholders, parses durations, and builds the task builder (name, priority, timeout, retries,
 * group, runtime, detached), refusing a bad attribute or return type with a message that names the method
 * and the attribute. {@link AsyncTaskAspect#validate} runs the same checks at start-up, so that a bad
 * attribute stops start-up rather than failing the method's first call.
 *
 * <p>Holds no state of its own beyond the orchestrator and the placeholder resolver it was made with: safe to
 * call from any thread. Warnings are logged under {@link AsyncTaskAspect}'s logger, where they always were.
 */
final class AsyncTaskSettings {

    /** The longest task name (as the core's builders check it). */
    private static final int MAX_DEFAULT_NAME = 100;

    private static final Log logger = LogFactory.getLog(AsyncTaskAspect.class);
    private static final Duration MAX_DURATION = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

    private final TaskOrchestrator orchestrator;
    private final StringValueResolver placeholders;

    AsyncTaskSettings(TaskOrchestrator orchestrator, StringValueResolver placeholders) {
        this.orchestrator = orchestrator;
        this.placeholders = placeholders;
    }

    /**
     * Whether a task of {@code annotation}'s method may make more than one attempt: retries written on it, or, with
     * none written (-1), the orchestrator's default retry.
     */
    boolean mayRetry(AsyncTask annotation) {
        return annotation.retries() > 0 || annotation.retries() == -1 && orchestrator.defaultRetry().maxRetries() > 0;
    }

    /** The handler name of a durable method: its task name. */
    String handlerName(Method method, AsyncTask annotation) {
        String name = resolve("name", annotation.name(), method);
        return name.isEmpty() ? defaultName(method) : name;
    }

    /**
     * {@code Class.method}, the name of a task whose annotation names none: cut to the 100 characters a task name may
     * have (the class's name first; a long default name stopped start-up, naming a name nobody wrote), without the
     * {@code /} and {@code #} a task name may not hold (a hidden class's name has a {@code /}).
     */
    static String defaultName(Method method) {
        return defaultName(method.getDeclaringClass(), method);
    }

    /** As {@link #defaultName(Method)}, after {@code type}: the bean's class, which may inherit the method. */
    static String defaultName(Class<?> named, Method method) {
        String type = named.getSimpleName().isEmpty() ? method.getDeclaringClass().getSimpleName() : named.getSimpleName();
        String name = method.getName();
        if (type.length() + 1 + name.length() > MAX_DEFAULT_NAME) {
            name = name.substring(0, Math.min(name.length(), MAX_DEFAULT_NAME / 2));
            type = type.substring(0, Math.min(type.length(), MAX_DEFAULT_NAME - 1 - name.length()));
        }
        return (type + "." + name).replace('/', '_').replace('#', '_');
    }

    private SpawningTaskBuilder<Object> builder(Method method, AsyncTask annotation, Class<?> named) {
        String name = resolve("name", annotation.name(), method);
        SpawningTaskBuilder<Object> builder = orchestrator.<Object>to()
                .named(name.isEmpty() ? defaultName(named, method) : name);
        if (annotation.priority() != TaskPriority.NORMAL) {
            // NORMAL, the default, is left unset: the calling task's priority, as for a builder's child (set, the
            // children of a HIGH request queued behind every NORMAL task while their parent waited for them)
            builder = builder.priority(annotation.priority());
        }
        String timeout = resolve("timeout", annotation.timeout(), method);
        if (!timeout.isEmpty()) {
            builder = builder.timeout(duration("timeout", timeout, method));
        }
        if (annotation.retries() > 0) {
            String backoff = resolve("retryBackoff", annotation.retryBackoff(), method);
            Duration initial = backoff.isEmpty() ? Duration.ofMillis(100) : duration("retryBackoff", backoff, method);
            if (initial.isNegative()) {
                throw new IllegalStateException("@AsyncTask on " + method + ": retryBackoff '" + backoff
                        + "' must not be negative; use for example 200ms, or 0s for no delay");
            }
            RetryPolicy.Backoff policy = RetryPolicy.exponential(annotation.retries(), initial, tenTimes(initial));
            builder = builder.retry(annotation.retryOn().length == 0 ? policy : policy.retryOn(annotation.retryOn()));
        }
        else if (annotation.retryOn().length > 0 || !annotation.retryBackoff().isEmpty()) {
            // They shape the retries written on the method; without them they were ignored, silently: the task
            // retried by the default retry's rules (or not at all), not on the errors named
            throw new IllegalStateException("@AsyncTask on " + method + ": retryOn and retryBackoff apply to the"
                    + " retries written on the method, and retries is " + annotation.retries() + "; set retries"
                    + " (e.g. retries = 3) or drop them");
        }
        else if (annotation.retries() == 0) {
            // retries = 0 written on the method: none, not the orchestrator's default retry (the attribute's default,
            // -1, leaves the task to that; 0 used to be both, so a method could not opt out of a default retry)
            builder = builder.retry(RetryPolicy.none());
        }
        else if (annotation.retries() < -1) {
            throw new IllegalStateException("@AsyncTask on " + method + ": retries must be 0 or more (or -1, the "
                    + "default: the orchestrator's default retry), was " + annotation.retries());
        }
        String group = resolve("group", annotation.group(), method);
        if (!group.isEmpty()) {
            builder = builder.group(group);
        }
        String runtime = resolve("runtime", annotation.runtime(), method);
        if (!runtime.isEmpty()) {
            if (!orchestrator.runtimes().containsKey(runtime)) {
                throw new IllegalStateException("@AsyncTask on " + method + ": runtime '" + runtime
                        + "' is not registered; use one of " + orchestrator.runtimes().keySet()
                        + " or add it with sweet.async.runtimes." + runtime + ".kind");
            }
            builder = builder.runtime(runtime);
        }
        return annotation.detached() ? builder.detached() : builder;
    }

    /**
     * Checks an annotated method's attributes (durations, retries, runtime, group and task names) as its
     * calls would, so that a bad one stops start-up naming the method rather than failing its first call; for a
     * bean of class {@code beanClass}, which may inherit the method (and carry {@code @Async}).
     *
     * @throws IllegalStateException or IllegalArgumentException naming the method and the attribute
     */
    void validate(Method method, AsyncTask annotation, Class<?> beanClass) {
        checkReturnType(method, method.getReturnType(), beanClass);
        int modifiers = method.getModifiers();
        if (Modifier.isPrivate(modifiers) || Modifier.isStatic(modifiers)
                || Modifier.isFinal(modifiers)) {
            // A final method is intercepted only by a JDK interface proxy, called through the interface: under Spring
            // Boot's default class proxies a call through the interface ran outside any task too, which the warning's
            // "unless a final one is called through an interface" promised otherwise
            logger.warn("@AsyncTask on " + method + " has no effect: a Spring proxy cannot intercept a "
                    + (Modifier.isPrivate(modifiers) ? "private"
                            : Modifier.isStatic(modifiers) ? "static" : "final")
                    + " method, so its calls run on the caller's thread, without the task's timeout or retries"
                    + (Modifier.isFinal(modifiers) && !Modifier.isStatic(modifiers) && !Modifier.isPrivate(modifiers)
                            ? ", also when called through an interface under Spring Boot's default class proxies (only"
                                    + " a JDK interface proxy, spring.aop.proxy-target-class=false, intercepts a final"
                                    + " method called through its interface)"
                            : "")
                    + "; make it public and not final or static");
        }
        namedBuilder(method, annotation);
    }

    /**
     * {@link #builder}, a bad attribute's message naming the method (the core's names only the value): at
     * start-up, and at the first call of a bean the start-up check did not see (one whose definition does not tell its
     * class: a factory method declared to return an interface the class implements, or {@code Object}).
     */
    SpawningTaskBuilder<Object> namedBuilder(Method method, AsyncTask annotation) {
        return namedBuilder(method, annotation, method.getDeclaringClass());
    }

    /**
     * As {@link #namedBuilder(Method, AsyncTask)}, an unnamed task named after {@code named}: the bean's class, so
     * that the beans of two classes inheriting one annotated method run under their own names (named after the
     * class declaring it, their tasks and meters merged into one name).
     */
    SpawningTaskBuilder<Object> namedBuilder(Method method, AsyncTask annotation, Class<?> named) {
        try {
            return builder(method, annotation, named);
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalStateException("@AsyncTask on " + method + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Not with Spring's {@code @Async} (see below) on the method, the class declaring it or {@code beanClass}, the
     * bean's (which may inherit the method: {@code @Async} on it applies to every method it has). A future-like
     * return type, {@code returns} as the bean's class binds it, must be one the task's handle can be returned as: a
     * caller declared with {@code FutureTask} (or a {@code SpawningTask} subtype) got a ClassCastException after the
     * task had run.
     */
    static void checkReturnType(Method method, Class<?> returns, Class<?> beanClass) {
        if (AnnotatedElementUtils.hasAnnotation(method, Async.class)
                || AnnotatedElementUtils.hasAnnotation(method.getDeclaringClass(), Async.class)
                || AnnotatedElementUtils.hasAnnotation(beanClass, Async.class)) {
            // The task, the outer layer, would proceed into @Async, which runs the body on its own executor:
            // outside the task, its context, children and timeout, the task only awaiting @Async's future.
            throw new IllegalStateException("@AsyncTask on " + method + ": it is also Spring's @Async (on the method, "
                    + "its class or the bean's, " + beanClass.getName() + "), which would run the body on its own "
                    + "executor, outside the task; choose one (@AsyncTask already returns at once for CompletableFuture "
                    + "and void methods)");
        }
        if (isReactive(returns)) {
            // A Mono/Flux is a recipe run when subscribed: the task would end as soon as it was built, and the
            // work would run later, outside the task, its timeout and its retries.
            throw new IllegalStateException("@AsyncTask on " + method + ": it returns " + returns.getName()
                    + ", a reactive publisher whose work runs when it is subscribed, after the task has ended; "
                    + "return CompletableFuture (publisher.toFuture(), or block inside the method) or use the "
                    + "publisher's own schedulers");
        }
        boolean futureLike = CompletionStage.class.isAssignableFrom(returns) || Future.class.isAssignableFrom(returns);
        if (futureLike && returns != SpawningTask.class && !returns.isAssignableFrom(CompletableFuture.class)) {
            throw new IllegalStateException("@AsyncTask on " + method + ": it returns " + returns.getName()
                    + ", which a task cannot return at once; declare CompletableFuture, CompletionStage, Future or "
                    + "SpawningTask");
        }
    }

    /** A Reactive Streams or {@code java.util.concurrent.Flow} publisher (Reactor, RxJava, Mutiny...), by name. */
    private static boolean isReactive(Class<?> type) {
        for (Class<?> current = type; current != null; current = current.getSuperclass()) {
            if (current.getName().equals("org.reactivestreams.Publisher")
                    || current == Flow.Publisher.class) {
                return true;
            }
            for (Class<?> implemented : current.getInterfaces()) {
                if (isReactive(implemented)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@code value} with its placeholders and expressions resolved; one that cannot be (a missing property, an
     * expression that fails) is refused naming the method and the attribute, which the resolver's error did not. A
     * value written blank ({@code group = " "}) is refused too: trimmed to empty it read as unset, silently, though
     * whoever wrote it meant something; a placeholder resolving to blank ({@code ${audit.group:}}) leaves the
     * attribute unset, which is how a property turns it off.
     */
    private String resolve(String attribute, String value, Method method) {
        if (!value.isEmpty() && value.isBlank()) {
            throw new IllegalStateException("@AsyncTask on " + method + ": " + attribute + " '" + value
                    + "' is blank; leave " + attribute + " out for its default, or write a value (a placeholder"
                    + " resolving to empty, such as ${my." + attribute + ":}, also leaves it unset)");
        }
        if (value.isEmpty() || placeholders == null) {
            return value;
        }
        String resolved;
        try {
            resolved = placeholders.resolveStringValue(value);
        }
        catch (RuntimeException ex) {
            throw new IllegalStateException("@AsyncTask on " + method + ": " + attribute + " '" + value
                    + "' cannot be resolved: " + ex.getMessage(), ex);
        }
        return resolved == null ? "" : resolved.trim();
    }

    private static Duration duration(String attribute, String value, Method method) {
        try {
            return DurationStyle.detectAndParse(value);
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalStateException("@AsyncTask on " + method + ": " + attribute + " '" + value
                    + "' is not a duration; use for example 30s, 500ms or PT30S", ex);
        }
    }

    /** The back-off's cap: ten times the first delay, or the longest duration for a huge one ("practically never"). */
    private static Duration tenTimes(Duration initial) {
        return initial.compareTo(MAX_DURATION.dividedBy(10)) > 0 ? MAX_DURATION : initial.multipliedBy(10);
    }
}

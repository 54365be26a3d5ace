package io.sweetasync.boot.aop;

import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.annotation.Placement;
import java.lang.reflect.Method;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

/**
 * What each {@link AsyncTask @AsyncTask} method's calls need ({@link Plan}: its annotation, task builder,
 * handler name and return shape), worked out by {@link AsyncTaskSettings} at the method's first call and
 * kept, so that a call pays one map read, not an annotation lookup and placeholder resolution.
 *
 * <p>Called from any caller's thread at once: both maps are concurrent, a plan is immutable (builders are
 * immutable, so one serves every call), and two threads making the same plan at once keep the first one
 * stored. A bean class the start-up check did not see (its definition did not tell it) has its return type checked
 * here.
 */
final class AsyncTaskPlans {

    private final AsyncTaskSettings settings;
    /**
     * What each annotated method's calls need, worked out at its first call (builders are immutable, so one
     * serves every call): its attributes' placeholders are resolved once, as Spring resolves
     * {@code @Scheduled}'s.
     */
    private final ConcurrentHashMap<Method, Plan> plans = new ConcurrentHashMap<>();
    /** Every plan by method and bean class; {@link #plans} holds the first one of each method, read per call. */
    private final ConcurrentHashMap<PlanKey, Plan> plansByClass =
            new ConcurrentHashMap<>();

    private record PlanKey(Method method, Class<?> target) {
    }

    /**
     * An annotated method's task builder, handler name, return shape and the annotation's {@code durable} and
     * {@code placement} (read once: an annotation's attribute is a call through a JDK proxy), for calls on beans of
     * class {@code target} (an interface's method can be implemented, and annotated, differently by two classes);
     * {@code mayRetry}: whether its task may make more than one attempt ({@link AsyncTaskSettings#mayRetry}).
     */
    record Plan(Class<?> target, SpawningTaskBuilder<Object> builder, String handler,
            Class<?> returns, boolean futureLike, boolean durable, boolean anywhere, boolean mayRetry) {
    }

    AsyncTaskPlans(AsyncTaskSettings settings) {
        this.settings = settings;
    }

    /**
     * The plan of a call of {@code method} on {@code target}: the method's first plan when it was made for the
     * target's class, else the one of that class (made now if it is the first call).
     */
    Plan of(Method method, Object target) {
        Plan plan = plans.get(method);
        if (plan == null || target != null && plan.target() != target.getClass()) {
            plan = plan(method, target);
        }
        return plan;
    }

    /** The method's return type as {@code beanClass} binds it, where that is narrower than the declared one. */
    private static Class<?> returnType(Method method, Class<?> beanClass) {
        Class<?> declared = method.getReturnType();
        Class<?> bound = ResolvableType.forMethodReturnType(method, beanClass).resolve();
        return bound != null && declared.isAssignableFrom(bound) ? bound : declared;
    }

    /**
     * The plan of {@code method} called on {@code target}, made on the first call and kept: per method, or,
     * for a method that beans of several classes share (an interface's), per method and class.
     */
    private Plan plan(Method method, Object target) {
        Class<?> targetClass = target == null ? method.getDeclaringClass() : target.getClass();
        Plan plan = plansByClass.get(new PlanKey(method, targetClass));
        if (plan != null) {
            return plan;
        }
        Method specific = AopUtils.getMostSpecificMethod(method, target == null ? targetClass : AopUtils.getTargetClass(target));
        AsyncTask annotation = AnnotatedElementUtils.findMergedAnnotation(specific, AsyncTask.class);
        if (annotation == null) {
            annotation = AnnotatedElementUtils.findMergedAnnotation(method, AsyncTask.class);
        }
        if (annotation == null) {
            throw new IllegalStateException("no @AsyncTask found on " + specific + " although its advice runs");
        }
        // The implementation's return type: through a generic interface (Job<CompletableFuture<String>>) the
        // called method, and the bridge, return Object, and a returned future was taken for a plain value
        // and a method of a generic base class returns what the bean's class binds (R fetch() of a
        // Fetcher<CompletableFuture<String>> returns Object, and its future was taken for a plain value)
        Class<?> beanClass = target == null ? targetClass : AopUtils.getTargetClass(target);
        Class<?> returns = returnType(specific, beanClass);
        AsyncTaskSettings.checkReturnType(specific, returns, ClassUtils.getUserClass(beanClass)); // beans the start-up check did not see
        // Named after the bean's class behind a JDK proxy too (the called method is the interface's), and when the class
        // inherits the method (two beans' classes extending one base ran as one name). A durable or
        // placed call keeps the called method's name, that of its handler (registered and stored under it), as
        // does an anonymous class's (no simple name)
        boolean calledName = annotation.durable() || annotation.placement() == Placement.ANYWHERE
                || specific.getDeclaringClass().isAnonymousClass();
        Class<?> userClass = ClassUtils.getUserClass(beanClass);
        Plan fresh = new Plan(targetClass, calledName ? settings.namedBuilder(method, annotation)
                : settings.namedBuilder(specific, annotation, specific.getDeclaringClass().isAssignableFrom(userClass)
                        ? userClass : specific.getDeclaringClass()),
                settings.handlerName(method, annotation), returns,
                CompletionStage.class.isAssignableFrom(returns) || Future.class.isAssignableFrom(returns),
                annotation.durable(), annotation.placement() == Placement.ANYWHERE, settings.mayRetry(annotation));
        Plan made = plansByClass.computeIfAbsent(new PlanKey(method, targetClass), key -> fresh);
        plans.putIfAbsent(method, made); // the first class seen answers at once; others go through plansByClass
        return made;
    }
}

package io.sweetasync.boot.aop;

import io.sweetasync.RetryPolicy;
import io.sweetasync.SpawningTask;
import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.annotation.Placement;
import io.sweetasync.spi.DurableCodec;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.interceptor.ExposeInvocationInterceptor;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.scheduling.annotation.Async;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringValueResolver;

/**
 * Runs {@link AsyncTask @AsyncTask} methods as tasks; see the annotation for what each return type does.
 * A Spring AOP {@link MethodInterceptor}, applied by {@link AsyncTaskAdvisor} to annotated methods: its
 * match is static, decided once per method and class, so a call pays no pointcut evaluation (an AspectJ
 * {@code @Around} bound to the annotation was matched again on every call).
 *
 * <p>The rest of the call (other advice, the method) proceeds on the task's thread with the invocation
 * exposed there ({@link ExposeInvocationInterceptor}), so a user's own AspectJ advice on the same method
 * ({@code @Before}, {@code @AfterReturning}, ...) finds its join point inside the task. Each attempt runs that
 * whole rest again: a retried {@code @Transactional} method's retry runs in a new transaction.
 *
 * <p>Order: {@link #ORDER}, ahead of Spring's transaction interceptor (which defaults to the lowest
 * precedence); Spring's {@code @Retryable} and {@code @ConcurrencyLimit} put themselves in front of
 * every advisor, so {@link AsyncTaskAdvisorFirst} moves this one back ahead of them. So the task is the
 * outer layer: a {@code @Transactional} method's transaction runs on the task's thread, inside the task,
 * and a {@code @Retryable} method's retries happen within one task attempt (prefer {@code retries} here,
 * which the task tree and meters can see).
 */
public class AsyncTaskAspect implements MethodInterceptor, Ordered {

    /** Ahead of transaction and retry interceptors. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 1000;

    private static final Log logger = LogFactory.getLog(AsyncTaskAspect.class);
    private static final Duration MAX_DURATION = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

    /** The handler whose stored invocation this thread is running: its call must not be stored again. */
    private static final ThreadLocal<String> RUNNING_DURABLE = new ThreadLocal<>();
    /** The handler whose placed call this thread is running: its call must not be placed again. */
    private static final ThreadLocal<String> RUNNING_PLACED = new ThreadLocal<>();

    private final TaskOrchestrator orchestrator;
    private final StringValueResolver placeholders;
    private final DurableCodec codec;
    /**
     * What each annotated method's calls need, worked out at its first call (builders are immutable, so one
     * serves every call): its attributes' placeholders are resolved once, as Spring resolves
     * {@code @Scheduled}'s.
     */
    private final ConcurrentHashMap<Method, Plan> plans = new ConcurrentHashMap<>();
    /** Every plan by method and bean class; {@link #plans} holds the first one of each method, read per call. */
    private final ConcurrentHashMap<PlanKey, Plan> plansByClass =
            new ConcurrentHashMap<>();

    /** The method each durable or placed handler was registered for, to name both when two share a name. */
    private final ConcurrentHashMap<String, Method> handlerMethods = new ConcurrentHashMap<>();

    private record PlanKey(Method method, Class<?> target) {
    }

    /**
     * An annotated method's annotation, task builder, handler name and return shape, for calls on beans of
     * class {@code target} (an interface's method can be implemented, and annotated, differently by two
     * classes).
     */
    private record Plan(Class<?> target, AsyncTask annotation, SpawningTaskBuilder<Object> builder, String handler,
            Class<?> returns, boolean futureLike) {
    }

    public AsyncTaskAspect(TaskOrchestrator orchestrator, StringValueResolver placeholders) {
        this(orchestrator, placeholders, null);
    }

    /** With a codec, for {@code @AsyncTask(durable = true)} methods (their arguments are encoded with it). */
    public AsyncTaskAspect(TaskOrchestrator orchestrator, StringValueResolver placeholders, DurableCodec codec) {
        this.orchestrator = orchestrator;
        this.placeholders = placeholders;
        this.codec = codec;
    }

    /** The handler name of a durable method: its task name. */
    String handlerName(Method method, AsyncTask annotation) {
        String name = resolve(annotation.name());
        return name.isEmpty() ? method.getDeclaringClass().getSimpleName() + "." + method.getName() : name;
    }

    /**
     * Registers {@code method} of {@code bean} (the proxy) as the handler of its durable tasks: a stored
     * invocation decodes the arguments and calls the method again through the proxy (so its other
     * advice applies), without storing the call a second time.
     */
    void registerDurable(Object bean, Method method, AsyncTask annotation) {
        if (codec == null) {
            throw new IllegalStateException("@AsyncTask(durable = true) on " + method + " needs a task store: set "
                    + "sweet.async.store.enabled=true (with sweet-async-jdbc and a DataSource)");
        }
        Class<?>[] types = method.getParameterTypes();
        String handler = handlerName(method, annotation);
        claim(handler, method);
        ReflectionUtils.makeAccessible(method);
        orchestrator.handler(handler, String[].class, encoded -> {
            Object[] arguments = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                arguments[i] = encoded == null || encoded[i] == null ? null : codec.decode(encoded[i], types[i]);
            }
            String previous = RUNNING_DURABLE.get();
            RUNNING_DURABLE.set(handler);
            try {
                Object value = method.invoke(bean, arguments);
                return await(value);
            }
            catch (InvocationTargetException ex) {
                throw ex.getCause() instanceof Exception cause ? cause : ex;
            }
            finally {
                RUNNING_DURABLE.set(previous);
            }
        });
    }

    /**
     * Registers {@code method} of {@code bean} (the proxy) as the handler of its calls placed on this
     * member by any member ({@code placement = ANYWHERE}): it calls the method through the proxy with the
     * arguments as sent, without placing the call again.
     */
    void registerAnywhere(Object bean, Method method, AsyncTask annotation) {
        if (annotation.durable()) {
            throw new IllegalStateException("@AsyncTask on " + method + " is both durable and placement = ANYWHERE: "
                    + "durable tasks are not placed on other members; choose one");
        }
        String handler = handlerName(method, annotation);
        claim(handler, method);
        ReflectionUtils.makeAccessible(method);
        orchestrator.handler(handler, Object[].class, arguments -> {
            String previous = RUNNING_PLACED.get();
            RUNNING_PLACED.set(handler);
            try {
                return await(method.invoke(bean, arguments));
            }
            catch (InvocationTargetException ex) {
                throw ex.getCause() instanceof Exception cause ? cause : ex;
            }
            finally {
                RUNNING_PLACED.set(previous);
            }
        });
    }

    /**
     * Takes {@code handler} for {@code method}: two methods of one task name (overloads named by default,
     * {@code Class.method}) would share a handler, and the engine's refusal named neither.
     */
    private void claim(String handler, Method method) {
        Method other = handlerMethods.putIfAbsent(handler, method);
        if (other != null) {
            throw new IllegalStateException("@AsyncTask on " + method + " and on " + (other.equals(method)
                    ? "the same method of another bean" : other) + " have the same task name '" + handler
                    + "', which names the handler that runs their stored or placed calls; give each its own"
                    + " (@AsyncTask(name = \"...\"))");
        }
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Object invoke(MethodInvocation call) throws Throwable {
        Method method = call.getMethod();
        Object target = call.getThis();
        Plan plan = plans.get(method);
        if (plan == null || target != null && plan.target() != target.getClass()) {
            plan = plan(method, target);
        }
        AsyncTask annotation = plan.annotation();
        if (annotation.durable() && plan.handler().equals(RUNNING_DURABLE.get())) {
            RUNNING_DURABLE.remove(); // the stored invocation's own call: run the body (nested calls are new tasks)
            return call.proceed();
        }
        boolean anywhere = annotation.placement() == Placement.ANYWHERE;
        if (anywhere && plan.handler().equals(RUNNING_PLACED.get())) {
            RUNNING_PLACED.remove(); // the placed call itself, on the member chosen: run the body
            return call.proceed();
        }
        Class<?> returns = plan.returns();
        SpawningTaskBuilder<Object> builder = plan.builder();
        boolean futureLike = plan.futureLike();
        SpawningTask<Object> task = annotation.durable() ? durable(builder, plan.handler(), method, call.getArguments())
                : anywhere ? builder.anywhere().run(plan.handler(), call.getArguments())
                : builder.run(() -> {
                    Object value = proceed(call);
                    return futureLike ? await(value) : value;
                });
        if (returns == void.class) {
            task.toCompletableFuture().whenComplete((value, error) -> {
                if (error != null) {
                    logger.warn("@AsyncTask " + task.name() + "#" + task.id() + " (fire-and-forget) failed", unwrap(error));
                }
            });
            return null;
        }
        if (SpawningTask.class.isAssignableFrom(returns)) {
            return task;
        }
        if (futureLike) {
            // Another future than the task's (this one fails with the method's own exception), so its
            // cancellation is passed on: a dependent future's cancel does not reach the one it depends on.
            CompletableFuture<Object> returned = task.toCompletableFuture()
                    .exceptionallyCompose(error -> CompletableFuture.failedFuture(unwrap(error)));
            returned.whenComplete((value, error) -> {
                if (returned.isCancelled()) {
                    task.cancel();
                }
            });
            return returned;
        }
        try {
            return task.join();
        }
        catch (TaskFailedException ex) {
            throw ex.getCause();
        }
        catch (CancellationException ex) {
            // The caller was interrupted while it waited (the task's own cancel is a TaskCancelledException):
            // nobody else holds this task, so it is cancelled, as invokeAll cancels what it waited for.
            task.cancel();
            throw ex;
        }
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
        checkReturnType(method); // beans the start-up check did not see (lazy, prototype)
        Class<?> returns = method.getReturnType();
        Plan fresh = new Plan(targetClass, annotation, namedBuilder(method, annotation), handlerName(method, annotation),
                returns, CompletionStage.class.isAssignableFrom(returns) || Future.class.isAssignableFrom(returns));
        Plan made = plansByClass.computeIfAbsent(new PlanKey(method, targetClass), key -> fresh);
        plans.putIfAbsent(method, made); // the first class seen answers at once; others go through plansByClass
        return made;
    }


    /** Stores the call (each argument encoded on its own) and starts it; see {@link #registerDurable}. */
    private SpawningTask<Object> durable(SpawningTaskBuilder<Object> builder, String handler, Method method,
            Object[] arguments) {
        if (codec == null) {
            throw new IllegalStateException("@AsyncTask(durable = true) on " + method + " needs a task store: set "
                    + "sweet.async.store.enabled=true (with sweet-async-jdbc and a DataSource)");
        }
        String[] encoded = new String[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            try {
                encoded[i] = arguments[i] == null ? null : codec.encode(arguments[i]);
            }
            catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("@AsyncTask(durable = true) on " + method + ": argument " + i
                        + " cannot be stored: " + ex.getMessage(), ex);
            }
        }
        return builder.durable(handler, encoded).run();
    }

    private SpawningTaskBuilder<Object> builder(Method method, AsyncTask annotation) {
        String name = resolve(annotation.name());
        SpawningTaskBuilder<Object> builder = orchestrator.<Object>to()
                .named(name.isEmpty() ? method.getDeclaringClass().getSimpleName() + "." + method.getName() : name)
                .priority(annotation.priority());
        String timeout = resolve(annotation.timeout());
        if (!timeout.isEmpty()) {
            builder = builder.timeout(duration("timeout", timeout, method));
        }
        if (annotation.retries() > 0) {
            String backoff = resolve(annotation.retryBackoff());
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
        String group = resolve(annotation.group());
        if (!group.isEmpty()) {
            builder = builder.group(group);
        }
        String runtime = resolve(annotation.runtime());
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
     * calls would, so that a bad one stops start-up naming the method rather than failing its first call.
     *
     * @throws IllegalStateException or IllegalArgumentException naming the method and the attribute
     */
    public void validate(Method method, AsyncTask annotation) {
        checkReturnType(method);
        int modifiers = method.getModifiers();
        if (Modifier.isPrivate(modifiers) || Modifier.isStatic(modifiers)
                || Modifier.isFinal(modifiers)) {
            logger.warn("@AsyncTask on " + method + " has no effect: a Spring proxy cannot intercept a "
                    + (Modifier.isPrivate(modifiers) ? "private"
                            : Modifier.isStatic(modifiers) ? "static" : "final")
                    + " method (unless a final one is called through an interface), so its calls run on the caller's "
                    + "thread, without the task's timeout or retries; make it public and not final or static");
        }
        namedBuilder(method, annotation);
    }

    /**
     * {@link #builder}, a bad attribute's message naming the method (the core's names only the value): at
     * start-up, and at the first call of a bean the start-up check did not see (prototype, request scope).
     */
    private SpawningTaskBuilder<Object> namedBuilder(Method method, AsyncTask annotation) {
        try {
            return builder(method, annotation);
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalStateException("@AsyncTask on " + method + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Not with Spring's {@code @Async} (see below). A future-like return type must be one the task's handle can
     * be returned as: a caller declared with
     * {@code FutureTask} (or a {@code SpawningTask} subtype) got a ClassCastException after the task had run.
     */
    private static void checkReturnType(Method method) {
        if (AnnotatedElementUtils.hasAnnotation(method, Async.class)
                || AnnotatedElementUtils.hasAnnotation(method.getDeclaringClass(), Async.class)) {
            // The task, the outer layer, would proceed into @Async, which runs the body on its own executor:
            // outside the task, its context, children and timeout, the task only awaiting @Async's future.
            throw new IllegalStateException("@AsyncTask on " + method + ": it is also Spring's @Async (on the method "
                    + "or its class), which would run the body on its own executor, outside the task; choose one "
                    + "(@AsyncTask already returns at once for CompletableFuture and void methods)");
        }
        Class<?> returns = method.getReturnType();
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
                    || current == java.util.concurrent.Flow.Publisher.class) {
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

    private String resolve(String value) {
        if (value.isEmpty() || placeholders == null) {
            return value;
        }
        String resolved = placeholders.resolveStringValue(value);
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

    /**
     * The rest of the call, on the task's thread, with the invocation exposed there as on the caller's when
     * the proxy exposes it at all: Spring puts {@link ExposeInvocationInterceptor} in a chain exactly when the
     * chain has AspectJ advice, which needs it. Each attempt proceeds its own copy of the invocation, so a
     * retry runs the whole rest of the chain again (a {@code @Transactional} method's retry gets a new
     * transaction). Without the interceptor nothing reads the exposed invocation, and exposing
     * it would cost every task's thread a thread-local map.
     */
    private static Object proceed(MethodInvocation call) throws Exception {
        // A fresh copy per attempt: an invocation is proceeded once (it counts its way down the chain), so a
        // retry proceeding it again went straight to the method, past @Transactional and every other advice.
        MethodInvocation attempt = call instanceof ProxyMethodInvocation proxied ? proxied.invocableClone() : call;
        try {
            return exposes(call) ? ExposeInvocationInterceptor.INSTANCE.invoke(attempt) : attempt.proceed();
        }
        catch (Exception | Error ex) {
            throw ex;
        }
        catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Whether the proxy {@code call} came through exposes its invocation (see {@link #proceed}). */
    private static boolean exposes(MethodInvocation call) {
        return !(call instanceof ProxyMethodInvocation proxied && proxied.getProxy() instanceof Advised advised)
                || advised.indexOf(ExposeInvocationInterceptor.ADVISOR) >= 0;
    }

    /** The value of the future a method body returned, waited for inside the task. */
    private static Object await(Object value) throws Exception {
        Future<?> awaited = value instanceof CompletionStage<?> stage ? stage.toCompletableFuture()
                : value instanceof Future<?> future ? future : null;
        if (awaited == null) {
            return value;
        }
        try {
            return awaited.get(); // interruptible, unlike join(): a timeout or cancel must end the wait
        }
        catch (ExecutionException ex) {
            // The future's own failure, an Error too (an AssertionError, a StackOverflowError): wrapped, the task
            // failed with an ExecutionException and the caller's future with two
            Throwable cause = ex.getCause();
            if (cause instanceof Error error) {
                throw error;
            }
            throw cause instanceof Exception exception ? exception : ex;
        }
        catch (InterruptedException ex) {
            awaited.cancel(true); // the task was stopped (timed out, cancelled): so is the work it awaited
            throw ex;
        }
    }

    /** The method's own exception behind a task failure; timeouts, cancellations and rejections as they are. */
    private static Throwable unwrap(Throwable error) {
        Throwable current = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return current instanceof TaskFailedException failed && failed.getCause() != null ? failed.getCause() : current;
    }
}

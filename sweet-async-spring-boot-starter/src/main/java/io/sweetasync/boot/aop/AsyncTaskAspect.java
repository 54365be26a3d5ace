package io.sweetasync.boot.aop;

import io.sweetasync.SpawningTask;
import io.sweetasync.SpawningTaskBuilder;
import io.sweetasync.TaskCancelledException;
import io.sweetasync.TaskFailedException;
import io.sweetasync.TaskOrchestrator;
import io.sweetasync.TaskStatus;
import io.sweetasync.annotation.AsyncTask;
import io.sweetasync.boot.aop.AsyncTaskPlans.Plan;
import io.sweetasync.internal.MethodFutures;
import io.sweetasync.spi.DurableCodec;
import java.lang.reflect.Method;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.aop.interceptor.ExposeInvocationInterceptor;
import org.springframework.core.Ordered;
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
 *
 * <p>This class starts each call's task and hands back what the method's return type promises (nothing for
 * {@code void}, the task, a future failing with the method's own exception, or the value, waited for);
 * what it needs for that it takes from its helpers: a method's settings (its attributes, resolved and
 * checked) from {@code AsyncTaskSettings}, kept per method by {@code AsyncTaskPlans}; the body as a task
 * from {@code TaskBody}; durable and placed calls from {@code AsyncTaskHandlers}. Called on callers'
 * threads, any number at once: it holds no per-call state.
 */
public class AsyncTaskAspect implements MethodInterceptor, Ordered {

    /** Ahead of transaction and retry interceptors. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 1000;

    private static final Log logger = LogFactory.getLog(AsyncTaskAspect.class);

    private final AsyncTaskSettings settings;
    private final AsyncTaskPlans plans;
    private final AsyncTaskHandlers handlers;

    public AsyncTaskAspect(TaskOrchestrator orchestrator, StringValueResolver placeholders) {
        this(orchestrator, placeholders, null);
    }

    /** With a codec, for {@code @AsyncTask(durable = true)} methods (their arguments are encoded with it). */
    public AsyncTaskAspect(TaskOrchestrator orchestrator, StringValueResolver placeholders, DurableCodec codec) {
        this.settings = new AsyncTaskSettings(orchestrator, placeholders);
        this.plans = new AsyncTaskPlans(settings);
        this.handlers = new AsyncTaskHandlers(orchestrator, codec, settings);
    }

    /**
     * Registers {@code method} of {@code bean} (the proxy) as the handler of its durable tasks; see
     * {@link AsyncTaskHandlers#registerDurable}.
     */
    void registerDurable(Object bean, Method method, AsyncTask annotation) {
        handlers.registerDurable(bean, method, annotation);
    }

    /**
     * Registers {@code method} of {@code bean} (the proxy) as the handler of its calls placed on this member;
     * see {@link AsyncTaskHandlers#registerAnywhere}.
     */
    void registerAnywhere(Object bean, Method method, AsyncTask annotation) {
        handlers.registerAnywhere(bean, method, annotation);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Object invoke(MethodInvocation call) throws Throwable {
        Method method = call.getMethod();
        Object target = call.getThis();
        Plan plan = plans.of(method, target);
        boolean durable = plan.durable();
        if (durable && handlers.takeDurableCall(plan.handler())) {
            // the stored invocation's own call: run the body (nested calls are new tasks)
            return call.proceed();
        }
        boolean anywhere = plan.anywhere();
        if (anywhere && handlers.takePlacedCall(plan.handler())) {
            // the placed call itself, on the member chosen: run the body
            return call.proceed();
        }
        Class<?> returns = plan.returns();
        SpawningTaskBuilder<Object> builder = plan.builder();
        boolean futureLike = plan.futureLike();
        SpawningTask<Object> task = durable
                ? handlers.durable(builder, plan.handler(), method, call.getArguments())
                : anywhere ? builder.anywhere().run(plan.handler(), call.getArguments())
                : builder.run(() -> {
                    Object value = TaskBody.proceed(call, plan.mayRetry());
                    return futureLike ? TaskBody.await(value) : value;
                });
        if (returns == void.class) {
            CallerContext.Captured caller = CallerContext.capture(); // the warning carries the caller's MDC
            task.toCompletableFuture().whenComplete((value, error) -> {
                Throwable cause = error == null ? null : unwrap(error);
                if (cause instanceof CancellationException || cause instanceof TaskCancelledException) {
                    // Not a failure: cancelled on purpose (by id, its parent ending, the shutdown after its grace,
                    // which names what it cancelled). A WARN with a stack trace per call (a shutdown cancelling a
                    // thousand queued audits logged a thousand) is kept for failures
                    caller.run(() -> logger.info("@AsyncTask " + task.name() + "#" + task.id()
                            + " (fire-and-forget) was cancelled: " + cause.getMessage()));
                }
                else if (cause != null) {
                    caller.run(() -> logger.warn("@AsyncTask " + task.name() + "#" + task.id()
                            + " (fire-and-forget) failed", cause));
                }
            });
            return null;
        }
        if (SpawningTask.class.isAssignableFrom(returns)) {
            return task;
        }
        if (futureLike) {
            // The task's own future, failing with the method's own exception (one future, no stages)
            CompletableFuture<Object> own = MethodFutures.of(task);
            if (own != null) {
                return own;
            }
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
        if (durable && task.status() == TaskStatus.PENDING && AsyncTaskHandlers.inTransaction()) {
            // Stored with the caller's transaction, the task starts only once it commits, and the transaction
            // commits only after this caller returns: the wait below never ended (a @Transactional service calling a
            // durable method for its value hung for good, holding its connection and locks)
            throw new IllegalStateException("@AsyncTask(durable = true) on " + method + " was called inside a"
                    + " transaction: its task (" + task.name() + "#" + task.id() + ") is stored with it and starts only"
                    + " once it commits, which is after this call returns, so waiting here for the method's value would"
                    + " never end; return SpawningTask, CompletableFuture or void to get a handle at once, or call it"
                    + " outside the transaction (the stored invocation still runs after the commit, and not after a"
                    + " rollback)");
        }
        try {
            return task.join();
        }
        catch (TaskFailedException ex) {
            throw ex.getCause();
        }
        catch (CancellationException ex) {
            // The caller was interrupted while it waited (the task's own cancel is a TaskCancelledException):
            // nobody else holds this task, so it is cancelled, as invokeAll cancels what it waited for. Not a durable
            // one: the store holds it, to run at least once whatever happens to its caller (as the plain Java
            // durable(...).await() leaves it running; cancelled, an interrupted request dropped the stored work)
            if (!durable) {
                task.cancel();
            }
            throw ex;
        }
    }

    /**
     * Checks an annotated method's attributes (durations, retries, runtime, group and task names) as its
     * calls would, so that a bad one stops start-up naming the method rather than failing its first call.
     *
     * @throws IllegalStateException or IllegalArgumentException naming the method and the attribute
     */
    public void validate(Method method, AsyncTask annotation) {
        validate(method, annotation, method.getDeclaringClass());
    }

    /** As {@link #validate(Method, AsyncTask)}, for a bean of class {@code beanClass}, which may inherit the method. */
    void validate(Method method, AsyncTask annotation, Class<?> beanClass) {
        settings.validate(method, annotation, beanClass);
    }

    /** The method's own exception behind a task failure; timeouts, cancellations and rejections as they are. */
    private static Throwable unwrap(Throwable error) {
        Throwable current = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return current instanceof TaskFailedException failed && failed.getCause() != null ? failed.getCause() : current;
    }
}

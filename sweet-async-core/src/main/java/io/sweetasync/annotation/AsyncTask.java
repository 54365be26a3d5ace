package io.sweetasync.annotation;

import io.sweetasync.TaskPriority;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated method as a Sweet Async task. A plain annotation: the Spring Boot starter's aspect
 * gives it its meaning (add {@code spring-boot-starter-aspectj}).
 *
 * <p>By return type: {@code CompletableFuture}, {@code CompletionStage}, {@code Future} and
 * {@code SpawningTask} return at once (the future the method body returns, for example
 * {@code CompletableFuture.completedFuture(value)} or a task it starts, is awaited inside the task and
 * its value becomes the task's; cancelling the returned future cancels the task, and a task that times out
 * or is cancelled cancels the future it was awaiting);
 * {@code void} runs fire-and-forget for a caller outside tasks (the call returns at once; failures are logged
 * as warnings and counted, a cancelled call in one line at INFO), but called inside a task it is that task's child
 * like any call made there: the task ends only after it (a blocking caller of the task waits for it), cancels it
 * if the task fails for good, and the task's timeout covers it; use {@link #detached()} for a call (an audit,
 * say) that must outlive its caller or not hold it up; any other type runs as a task
 * while the caller waits, and the method's own exception is rethrown (a caller interrupted while it waits
 * gets {@code CancellationException} and the task is cancelled: nobody else holds it; a {@link #durable()} task
 * runs on, the store holding it). Other future types, and reactive
 * publishers ({@code Mono}, {@code Flux}, a {@code Flow.Publisher}: their work would run when subscribed,
 * after the task had ended), stop start-up naming the method, as does Spring's {@code @Async} on the same method
 * or its class (it would run the body on its own executor, outside the task). Calls made inside a task body
 * become its children, unless {@link #detached()}.
 *
 * <p>Placeholders in attributes ({@code ${...}}) are resolved once per method, at its first call (the
 * starter also checks every annotated method's attributes at start-up), and the task settings built from
 * them serve all its calls: a property changed later is not seen. A placeholder resolving to empty or blank leaves
 * its attribute unset (its default), so a property can turn a group or timeout off; a value written blank
 * ({@code group = " "}) stops start-up naming the method.
 *
 * <p>As with every Spring proxy, a call from the same object ({@code this.method()}) bypasses the aspect;
 * call through the bean.
 *
 * <pre>{@code
 * @AsyncTask(name = "price-order", timeout = "${pricing.timeout:5s}", retries = 2, retryBackoff = "200ms",
 *            retryOn = IOException.class, group = "pricing")
 * public Price price(Order order) throws IOException { ... }
 *
 * @AsyncTask
 * public CompletableFuture<Report> report(Month month) { return CompletableFuture.completedFuture(build(month)); }
 *
 * @AsyncTask(detached = true)
 * public void audit(Event event) { ... }   // fire-and-forget, also when called inside a task
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface AsyncTask {

    /** Task name; default {@code SimpleClassName.method}. Placeholders allowed. */
    String name() default "";

    /**
     * Deadline such as {@code "30s"} or {@code "PT30S"}; placeholders allowed; empty: the default timeout. A bare
     * number is milliseconds, as in Spring's duration properties ({@code "30"} is 30 ms). A method that must
     * have no deadline under a default timeout sets an endless one ({@code "36500d"}).
     */
    String timeout() default "";

    /**
     * Retries after the first attempt (exponential back-off from {@link #retryBackoff()}); each attempt calls
     * the method through the rest of its advice again (a {@code @Transactional} method's in a new transaction).
     * {@code 0}: none, even where the orchestrator has a default retry; {@code -1} (the default): the
     * orchestrator's default retry ({@code sweet.async.default-retry.*} in Spring Boot, none unless set).
     */
    int retries() default -1;

    /**
     * Delay before the first retry, doubling up to ten times that; empty: 100 ms. Placeholders allowed. Only
     * with {@link #retries()} above 0 (else start-up fails naming the method).
     */
    String retryBackoff() default "";

    /**
     * Exceptions to retry (and their subtypes); empty: any exception. Only with {@link #retries()} above 0
     * (else start-up fails naming the method).
     */
    Class<? extends Throwable>[] retryOn() default {};

    /** Concurrency group; empty: none. Placeholders allowed. */
    String group() default "";

    /**
     * Admission priority. {@code NORMAL}, the default, runs at the calling task's priority when the call is made
     * inside a task (as a builder's child that sets none), else at {@code NORMAL}; any other value is kept.
     */
    TaskPriority priority() default TaskPriority.NORMAL;

    /** Runtime name; empty: inherited from the calling task, else the default. Placeholders allowed. */
    String runtime() default "";

    /**
     * Whether to start a new root instead of a child of the calling task: the calling task neither waits for it
     * nor cancels it, and its timeout does not cover it (outside tasks every call is a root anyway).
     */
    boolean detached() default false;

    /**
     * Whether the call is a durable task: stored (arguments encoded as JSON) before the method returns
     * to its caller, and run at least once even if the process dies — after a crash another start of the
     * application calls the method again, same task id, {@code TaskContext.attempt()} counting up; nor does a
     * caller interrupted while it waits for the value stop it (it gets {@code CancellationException}). Needs
     * a task store ({@code sweet.async.store.enabled=true}). Each parameter decodes to its declared class
     * (generic type arguments are not kept: prefer records and arrays); the method must be idempotent.
     * The task's name is the handler's name, so keep it stable across releases. One bean per method: the
     * handler runs the stored calls on it, and two beans of one class stop start-up.
     */
    boolean durable() default false;

    /**
     * Where the call runs: with {@link Placement#ANYWHERE}, on the least loaded member of the cluster
     * ({@code sweet.async.cluster.enabled=true}), the method being called on that member's bean of the same
     * name. Its arguments and result then cross the network: they must be {@code Serializable} (or
     * otherwise serializable by the cluster engine). The handle mirrors the remote call (see
     * {@link io.sweetasync.AnywhereTaskBuilder}). Not combined with {@link #durable()} (refused at start-up); one
     * bean per method, as for {@link #durable()}.
     */
    Placement placement() default Placement.LOCAL;
}

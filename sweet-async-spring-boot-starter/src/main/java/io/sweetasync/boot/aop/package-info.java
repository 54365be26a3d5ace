/**
 * The aspect behind {@link io.sweetasync.annotation.AsyncTask @AsyncTask}.
 *
 * <p>Its classes, one job each: {@code AsyncTaskAspect} (the interceptor: starts a call's task and hands back
 * what the return type promises), {@code AsyncTaskAdvisor} (applies it to annotated methods),
 * {@code AsyncTaskAdvisorFirst} (keeps it the outer layer of a proxy), {@code DurableMethodRegistrar} (the
 * start-up check and handler registration); package-private: {@code AsyncTaskSettings} (an annotation's
 * attributes resolved and checked into a task builder), {@code AsyncTaskPlans} (what each method's calls
 * need, kept), {@code AsyncTaskHandlers} (the handlers of durable and placed calls), {@code TaskBody} (the
 * rest of the call as the task's body).
 */
package io.sweetasync.boot.aop;

package io.sweetasync.boot.aop;

import io.sweetasync.TaskFailedException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.interceptor.ExposeInvocationInterceptor;

/**
 * An intercepted {@code @AsyncTask} call as a task's body: the rest of the call (other advice, the method)
 * proceeded again for each attempt ({@link #proceed}), and a future the method returned waited for inside
 * the task ({@link #await}), so that the task ends when the work does.
 *
 * <p>Stateless; both run on the task's thread (or, for a stored or placed call, the handler's), and the wait
 * is interruptible: a task that times out or is cancelled cancels the future it was waiting for.
 */
final class TaskBody {

    private TaskBody() {
    }

    /**
     * The rest of the call, on the task's thread, with the invocation exposed there as on the caller's when
     * the proxy exposes it at all: Spring puts {@link ExposeInvocationInterceptor} in a chain exactly when the
     * chain has AspectJ advice, which needs it. When the task {@code mayRetry}, each attempt proceeds its own copy
     * of the invocation, so a retry runs the whole rest of the chain again (a {@code @Transactional} method's retry
     * gets a new transaction); a task of one attempt proceeds the invocation itself, as Spring's {@code @Async}
     * does (the caller's thread no longer touches it: the advice returned). Without the interceptor nothing reads
     * the exposed invocation, and exposing it would cost every task's thread a thread-local map.
     */
    static Object proceed(MethodInvocation call, boolean mayRetry) throws Exception {
        // A fresh copy per attempt: an invocation is proceeded once (it counts its way down the chain), so a
        // retry proceeding it again went straight to the method, past @Transactional and every other advice.
        MethodInvocation attempt = mayRetry && call instanceof ProxyMethodInvocation proxied
                ? proxied.invocableClone() : call;
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
    static Object await(Object value) throws Exception {
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
            if (cause instanceof TaskFailedException failed && failed.getCause() != null) {
                // A task the method handed on failed (a SpawningTask it returned, or that task's toCompletableFuture()):
                // its body's exception is the method's. Passed on wrapped, the caller's task failed with a
                // TaskFailedException wrapping another (join()'s cause was not the method's exception) and the
                // annotation's retryOn never matched it, so the method was never retried.
                cause = failed.getCause();
            }
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
}

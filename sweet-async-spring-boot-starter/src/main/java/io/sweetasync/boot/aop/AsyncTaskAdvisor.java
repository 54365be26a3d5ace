package io.sweetasync.boot.aop;

import io.sweetasync.annotation.AsyncTask;
import java.util.Objects;
import java.util.function.Supplier;
import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;

/**
 * Applies {@link AsyncTaskAspect} to methods annotated {@link AsyncTask @AsyncTask} (on the method, or on
 * an interface or superclass method it implements), ordered {@link AsyncTaskAspect#ORDER}. The interceptor
 * is looked up at the first call, not when proxies are made: proxy creators create every advisor early,
 * and the aspect's orchestrator (with its store, cluster and meters) must not be created before the
 * post-processors that configure it.
 *
 * <pre>{@code
 * @Bean
 * static AsyncTaskAdvisor asyncTaskAdvisor(ObjectProvider<AsyncTaskAspect> aspect) {
 *     return new AsyncTaskAdvisor(aspect::getObject);
 * }
 * }</pre>
 */
public final class AsyncTaskAdvisor extends AbstractPointcutAdvisor {

    private final Pointcut pointcut = new AnnotationMatchingPointcut(null, AsyncTask.class, true);
    private final Supplier<AsyncTaskAspect> aspect;
    private final MethodInterceptor advice = this::invoke;
    /** The aspect once looked up. */
    private volatile AsyncTaskAspect resolved;

    /** @param aspect where to find the interceptor at the first call (a bean provider's {@code getObject}) */
    public AsyncTaskAdvisor(Supplier<AsyncTaskAspect> aspect) {
        this.aspect = Objects.requireNonNull(aspect, "aspect");
        setOrder(AsyncTaskAspect.ORDER);
    }

    @Override
    public Pointcut getPointcut() {
        return pointcut;
    }

    @Override
    public Advice getAdvice() {
        return advice;
    }

    private Object invoke(MethodInvocation call) throws Throwable {
        AsyncTaskAspect interceptor = resolved;
        if (interceptor == null) {
            interceptor = Objects.requireNonNull(aspect.get(), "no AsyncTaskAspect to run @AsyncTask methods");
            resolved = interceptor;
        }
        return interceptor.invoke(call);
    }
}

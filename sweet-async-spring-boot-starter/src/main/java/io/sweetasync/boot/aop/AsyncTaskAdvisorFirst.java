package io.sweetasync.boot.aop;

import java.util.ArrayList;
import java.util.List;
import org.springframework.aop.Advisor;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.interceptor.ExposeInvocationInterceptor;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.OrderUtils;

/**
 * Keeps the {@code @AsyncTask} advice in its place by order ({@link AsyncTaskAspect#ORDER}) among a proxy's
 * advisors. Advising post-processors such as Spring's {@code @Retryable} and {@code @ConcurrencyLimit}
 * ({@code @EnableResilientMethods}) put their advisor in front of every existing one, whatever its order: a
 * retry would then wrap the call that <em>starts</em> the task, see a returned future instead of the failure,
 * and never retry. This post-processor runs after them and moves every advisor found ahead of the
 * {@code @AsyncTask} one whose order comes after it (a larger number, or none: unordered) to just behind it,
 * so retries, limits and transactions all run inside the task. Advisors ordered ahead of the task stay
 * ahead, as their order asks: Spring's {@link ExposeInvocationInterceptor}, which users' AspectJ advice
 * needs, and an application's aspect ordered, say, {@code @Order(Ordered.HIGHEST_PRECEDENCE + 10)}, which runs on
 * the caller's thread before the task is made.
 *
 * <pre>{@code
 * @AsyncTask
 * @Retryable(maxRetries = 2)
 * public CompletableFuture<Quote> quote(String sku) { ... }   // one task; its body retried inside it
 * }</pre>
 */
public class AsyncTaskAdvisorFirst implements BeanPostProcessor, Ordered {

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof Advised advised && !advised.isFrozen()) {
            reorder(advised);
        }
        return bean;
    }

    /** Moves the advisors ahead of the {@code @AsyncTask} one that are ordered after it to just behind it. */
    static void reorder(Advised advised) {
        Advisor[] advisors = advised.getAdvisors();
        int ours = -1;
        for (int i = 0; i < advisors.length; i++) {
            if (isAsyncTask(advisors[i])) {
                ours = i;
                break;
            }
        }
        if (ours <= 0) {
            return;
        }
        List<Advisor> ahead = new ArrayList<>();
        for (int i = 0; i < ours; i++) {
            if (orderOf(advisors[i]) > AsyncTaskAspect.ORDER) {
                ahead.add(advisors[i]);
            }
        }
        if (ahead.isEmpty()) {
            return;
        }
        // Re-adding the advisors that were ahead right after ours keeps their relative order.
        for (Advisor advisor : ahead) {
            advised.removeAdvisor(advisor);
        }
        int position = advised.indexOf(advisors[ours]) + 1;
        for (Advisor advisor : ahead) {
            advised.addAdvisor(position++, advisor);
        }
    }

    /** As Spring sorts advisors: {@link Ordered}, else {@code @Order} on the class, else last. */
    private static int orderOf(Advisor advisor) {
        if (advisor instanceof Ordered ordered) {
            return ordered.getOrder();
        }
        return OrderUtils.getOrder(advisor.getClass(), Ordered.LOWEST_PRECEDENCE);
    }

    private static boolean isAsyncTask(Advisor advisor) {
        return advisor instanceof AsyncTaskAdvisor;
    }
}

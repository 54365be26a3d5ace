package io.sweetasync.boot.autoconfigure;

import io.sweetasync.boot.aop.AsyncTaskAdvisor;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.aop.Advisor;
import org.springframework.aop.config.AopConfigUtils;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.scope.ScopedObject;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * With AspectJ present the {@code @AsyncTask} advisor exists, but only a proxy creator applies it: with
 * {@code spring.aop.auto=false} there is none (Spring Boot's is off), and a bean made before the proxy creator
 * (a dependency of a {@code BeanPostProcessor}) is never proxied. Its annotated methods then run as plain calls
 * on the caller's thread, without their timeout or retries. Once every singleton exists, this names them in one
 * warning with the likely cause, as {@link InertAsyncTaskWarning} does without AspectJ. Singletons not made yet
 * (lazy ones), factory beans and scoped proxies are not looked at: their proxying is not known here.
 */
final class UnadvisedAsyncTaskWarning implements SmartInitializingSingleton {

    private static final Log logger = LogFactory.getLog(UnadvisedAsyncTaskWarning.class);

    private final ConfigurableListableBeanFactory beans;

    UnadvisedAsyncTaskWarning(ConfigurableListableBeanFactory beans) {
        this.beans = beans;
    }

    @Override
    public void afterSingletonsInstantiated() {
        List<String> inert = new ArrayList<>();
        for (String name : beans.getBeanNamesForType(Object.class, false, false)) {
            Object bean = beans.getSingleton(name);
            if (bean == null || bean instanceof FactoryBean<?> || bean instanceof ScopedObject || advised(bean)) {
                continue;
            }
            InertAsyncTaskWarning.addAnnotated(
                    bean instanceof Advised ? AopUtils.getTargetClass(bean) : ClassUtils.getUserClass(bean), inert);
        }
        if (!inert.isEmpty()) {
            logger.warn(InertAsyncTaskWarning.noEffectOn(inert) + ": their beans are not proxied with the @AsyncTask "
                    + "advisor, so these methods run as plain calls on the caller's thread; " + cause());
        }
    }

    /** Whether the bean's calls go through the {@code @AsyncTask} advisor, or cannot be told (an opaque proxy). */
    private static boolean advised(Object bean) {
        if (bean instanceof Advised advised) {
            for (Advisor advisor : advised.getAdvisors()) {
                if (advisor instanceof AsyncTaskAdvisor) {
                    return true;
                }
            }
            return false;
        }
        return AopUtils.isAopProxy(bean);
    }

    private String cause() {
        if (!beans.containsLocalBean(AopConfigUtils.AUTO_PROXY_CREATOR_BEAN_NAME)) {
            return "this context has no auto-proxy creator (spring.aop.auto=false switches Spring Boot's off): remove "
                    + "that setting, or add @EnableAspectJAutoProxy";
        }
        return "they were made before the auto-proxy creator, as dependencies of a BeanPostProcessor (Spring logs that "
                + "such a bean 'is not eligible for getting processed by all BeanPostProcessors'): inject them into it "
                + "lazily (an ObjectProvider) or make that post-processor's @Bean method static";
    }
}

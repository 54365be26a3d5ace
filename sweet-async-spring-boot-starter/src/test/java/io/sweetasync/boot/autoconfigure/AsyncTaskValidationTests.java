package io.sweetasync.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sweetasync.annotation.AsyncTask;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** A bad {@code @AsyncTask} attribute stops start-up, naming the method, instead of failing its first call. */
@org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
class AsyncTaskValidationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(AopAutoConfiguration.class, SweetAsyncAutoConfiguration.class,
                    SweetAsyncAspectAutoConfiguration.class));

    @Test
    void aTimeoutThatIsNotADurationStopsStartUp() {
        runner.withBean(BadTimeout.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("BadTimeout.quote()")
                    .hasMessageContaining("timeout 'five seconds' is not a duration");
        });
    }

    @Test
    void anUnknownRuntimeStopsStartUp() {
        runner.withBean(BadRuntime.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("BadRuntime.render()")
                    .hasMessageContaining("runtime 'gpu' is not registered").hasMessageContaining("virtual");
        });
    }

    @Test
    void aPlaceholderIsResolvedBeforeTheCheck() {
        runner.withBean(PlaceholderTimeout.class).withPropertyValues("svc.timeout=2s")
                .run(context -> assertThat(context).hasNotFailed());
        runner.withBean(PlaceholderTimeout.class).withPropertyValues("svc.timeout=soon")
                .run(context -> assertThat(context.getStartupFailure())
                        .hasMessageContaining("PlaceholderTimeout.call()").hasMessageContaining("'soon'"));
    }

    /**
     * A value written blank ({@code group = " "}) stops start-up naming the method and the attribute: trimmed, it
     * read as unset, silently. A placeholder resolving to blank leaves the attribute unset: the method starts and
     * runs.
     */
    @Test
    void aBlankAttributeStopsStartUpButABlankPlaceholderLeavesItUnset() {
        runner.withBean(BlankGroup.class).run(context -> assertThat(context.getStartupFailure())
                .hasMessageContaining("BlankGroup.call()").hasMessageContaining("group ' ' is blank"));
        runner.withBean(BlankTimeout.class).run(context -> assertThat(context.getStartupFailure())
                .hasMessageContaining("BlankTimeout.call()").hasMessageContaining("timeout '\t' is blank"));
        runner.withBean(PlaceholderGroup.class).withPropertyValues("svc.group= ").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(PlaceholderGroup.class).call()).isEqualTo("g");
        });
    }

    /**
     * An attribute that cannot be resolved, a missing placeholder or an expression ({@code #{...}}) that fails,
     * stops start-up naming the method and the attribute: a failing expression's error named neither.
     */
    @Test
    void anAttributeThatCannotBeResolvedStopsStartUpNamingTheMethodAndTheAttribute() {
        runner.withBean(MissingPlaceholder.class).run(context -> assertThat(context.getStartupFailure())
                .hasMessageContaining("MissingPlaceholder.call()").hasMessageContaining("svc.missing"));
        runner.withBean(FailingExpression.class).run(context -> assertThat(context.getStartupFailure())
                .hasMessageContaining("FailingExpression.call()").hasMessageContaining("timeout")
                .hasMessageContaining("#{1/0}"));
    }

    /**
     * A method of a class with a long name, named by nothing but its class and method (a 71- and a 70-character
     * name): the default task name is cut to the 100 characters a name may have. It stopped start-up, naming a
     * name nobody wrote.
     */
    @Test
    void aLongDefaultNameIsCutNotRefused() {
        runner.withBean(AVeryLongServiceClassNameThatSomeCodeGeneratorsLikeToProduceForTheirBeans.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    AVeryLongServiceClassNameThatSomeCodeGeneratorsLikeToProduceForTheirBeans bean =
                            context.getBean(AVeryLongServiceClassNameThatSomeCodeGeneratorsLikeToProduceForTheirBeans.class);
                    String name = bean.computeTheQuarterlyFiguresForEveryRegionAndEveryProductLineAtOnce().join();
                    assertThat(name).hasSizeLessThanOrEqualTo(100).startsWith("AVeryLongService")
                            .contains(".computeTheQuarterly");
                });
    }

    static class AVeryLongServiceClassNameThatSomeCodeGeneratorsLikeToProduceForTheirBeans {
        @AsyncTask
        public java.util.concurrent.CompletableFuture<String> computeTheQuarterlyFiguresForEveryRegionAndEveryProductLineAtOnce() {
            return java.util.concurrent.CompletableFuture.completedFuture(
                    io.sweetasync.TaskContext.current().orElseThrow().name());
        }
    }

    static class MissingPlaceholder {
        @AsyncTask(timeout = "${svc.missing}")
        public String call() {
            return "never";
        }
    }

    static class FailingExpression {
        @AsyncTask(timeout = "#{1/0}")
        public String call() {
            return "never";
        }
    }

    @Test
    void goodAttributesStartAndARegisteredRuntimeIsAccepted() {
        runner.withBean(Good.class).withPropertyValues("sweet.async.runtimes.gpu.kind=platform")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aFutureTypeTheTaskCannotReturnStopsStartUp() {
        runner.withBean(FutureTaskReturn.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("FutureTaskReturn.later()")
                    .hasMessageContaining("java.util.concurrent.FutureTask").hasMessageContaining("CompletableFuture");
        });
        runner.withBean(FutureLikeReturns.class).run(context -> assertThat(context).hasNotFailed());
    }

    /** A publisher's work runs when it is subscribed, after the task that built it has ended: refused. */
    @Test
    void aReactivePublisherReturnStopsStartUp() {
        for (Class<?> bean : java.util.List.of(FlowPublisherReturn.class, SubmissionPublisherReturn.class)) {
            runner.withBean(bean).run(context -> {
                assertThat(context).as(bean.getSimpleName()).hasFailed();
                assertThat(context.getStartupFailure()).hasMessageContaining(bean.getSimpleName() + ".rows()")
                        .hasMessageContaining("reactive publisher").hasMessageContaining("CompletableFuture");
            });
        }
    }

    @Test
    void retryOnOrRetryBackoffWithoutRetriesStopsStartUp() {
        for (Class<?> bean : java.util.List.of(RetryOnAlone.class, RetryBackoffAlone.class)) {
            runner.withBean(bean).run(context -> {
                assertThat(context).as(bean.getSimpleName()).hasFailed();
                assertThat(context.getStartupFailure()).hasMessageContaining(bean.getSimpleName() + ".call()")
                        .hasMessageContaining("retryOn and retryBackoff").hasMessageContaining("set retries");
            });
        }
    }

    static class RetryOnAlone {
        @AsyncTask(retryOn = java.io.IOException.class)
        public String call() {
            return "x";
        }
    }

    static class RetryBackoffAlone {
        @AsyncTask(retries = 0, retryBackoff = "1s")
        public String call() {
            return "x";
        }
    }

    static class FlowPublisherReturn {
        @AsyncTask
        public java.util.concurrent.Flow.Publisher<String> rows() {
            return subscriber -> { };
        }
    }

    static class SubmissionPublisherReturn {
        @AsyncTask
        public java.util.concurrent.SubmissionPublisher<String> rows() {
            return new java.util.concurrent.SubmissionPublisher<>();
        }
    }

    @Test
    void aMethodNoProxyCanInterceptIsReported(org.springframework.boot.test.system.CapturedOutput output) {
        runner.withBean(FinalMethod.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(output).contains("FinalMethod.call()").contains("has no effect").contains("final method");
        });
    }

    /**
     * A bean the start-up check does not see (a prototype whose definition does not tell its class; one that does
     * is checked at start-up, Review19ScopedBeanValidationTests) is checked at its first call, and a bad
     * attribute fails that call naming the method and the value: a zero timeout said only "timeout must be
     * positive, was PT0S", and a bad name only the name, without the method to fix.
     */
    @Test
    void aBadAttributeOfAPrototypeBeanFailsItsFirstCallNamingTheMethod() {
        runner.withBean("zeroTimeout", Object.class, ZeroTimeout::new, definition -> definition.setScope("prototype"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThatThrownBy(() -> ((ZeroTimeout) context.getBean("zeroTimeout")).call())
                            .hasMessageContaining("ZeroTimeout.call()").hasMessageContaining("PT0S");
                });
    }

    static class ZeroTimeout {
        @AsyncTask(timeout = "0s")
        public String call() {
            return "z";
        }
    }

    static class FutureTaskReturn {
        @AsyncTask
        public java.util.concurrent.FutureTask<String> later() {
            return new java.util.concurrent.FutureTask<>(() -> "x");
        }
    }

    static class FutureLikeReturns {
        @AsyncTask
        public java.util.concurrent.CompletableFuture<String> a() {
            return java.util.concurrent.CompletableFuture.completedFuture("a");
        }

        @AsyncTask
        public java.util.concurrent.CompletionStage<String> b() {
            return a();
        }

        @AsyncTask
        public java.util.concurrent.Future<String> c() {
            return a();
        }

        @AsyncTask
        public io.sweetasync.SpawningTask<String> d() {
            return io.sweetasync.AsyncTask.to(String.class).run(() -> "d");
        }
    }

    static class FinalMethod {
        @AsyncTask
        public final String call() {
            return "f";
        }
    }

    static class BadTimeout {
        @AsyncTask(timeout = "five seconds")
        public String quote() {
            return "q";
        }
    }

    static class BadRuntime {
        @AsyncTask(runtime = "gpu")
        public String render() {
            return "r";
        }
    }

    static class BlankGroup {
        @AsyncTask(group = " ")
        public String call() {
            return "b";
        }
    }

    static class BlankTimeout {
        @AsyncTask(timeout = "\t")
        public String call() {
            return "t";
        }
    }

    static class PlaceholderGroup {
        @AsyncTask(group = "${svc.group:}")
        public String call() {
            return "g";
        }
    }

    static class PlaceholderTimeout {
        @AsyncTask(timeout = "${svc.timeout}")
        public String call() {
            return "c";
        }
    }

    static class Good {
        @AsyncTask(timeout = "5s", retries = 2, retryBackoff = "20ms", runtime = "gpu", group = "pricing")
        public String call() {
            return "g";
        }
    }
}

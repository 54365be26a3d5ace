package io.sweetasync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Probe: a ManagedFuture's minimal stage against the JDK's, operation by operation. */
class Review3MinimalConformanceTest {

    private static String describe(Supplier<Object> op) {
        try {
            Object v = op.get();
            return "value " + (v instanceof CompletableFuture<?> f ? "future(done=" + f.isDone() + ",cancelled=" + f.isCancelled()
                    + ",exc=" + f.isCompletedExceptionally() + ")" : String.valueOf(v));
        }
        catch (Throwable t) {
            return "throws " + t.getClass().getSimpleName() + (t.getCause() == null ? "" : "(" + t.getCause().getClass().getSimpleName() + ")");
        }
    }

    private static List<String> scenario(Supplier<CompletableFuture<String>> make, boolean before, Function<CompletableFuture<String>, Object> complete) {
        List<String> out = new ArrayList<>();
        CompletableFuture<String> src = make.get();
        if (before) complete.apply(src);
        CompletionStage<String> m = src.minimalCompletionStage();
        CompletableFuture<String> asFuture = m.toCompletableFuture();
        List<Object> seen = new ArrayList<>();
        CompletionStage<String> wc = m.whenComplete((v, e) -> seen.add("wc " + v + " " + (e == null ? null : e.getClass().getSimpleName() + "(" + (e.getCause() == null ? "" : e.getCause().getClass().getSimpleName()) + ")")));
        CompletionStage<String> h = m.handle((v, e) -> "h " + v + " " + (e == null ? null : e.getClass().getSimpleName()));
        CompletionStage<String> ex = m.exceptionally(e -> "ex " + e.getClass().getSimpleName());
        CompletionStage<String> ap = m.thenApply(v -> v + "!");
        CompletionStage<String> mm = ((CompletableFuture<String>) m).minimalCompletionStage();
        CompletionStage<String> comp = CompletableFuture.completedFuture("a").thenCompose(a -> m);
        CompletionStage<String> copyStage = ((CompletableFuture<String>) m).copy();
        if (!before) complete.apply(src);
        out.add("asFuture " + describe(() -> asFuture.join()));
        out.add("asFuture state " + describe(() -> asFuture.isCompletedExceptionally()));
        out.add("asFuture cancelled " + describe(() -> asFuture.isCancelled()));
        out.add("asFuture get " + describe(() -> { try { return asFuture.get(1, TimeUnit.SECONDS); } catch (Exception e) { throw new RuntimeException(e.getClass().getSimpleName() + "/" + (e.getCause() == null ? "" : e.getCause().getClass().getSimpleName()), e); } }));
        out.add("late toCF " + describe(() -> m.toCompletableFuture().join()));
        out.add("seen " + seen);
        out.add("wc " + describe(() -> wc.toCompletableFuture().join()));
        out.add("h " + describe(() -> h.toCompletableFuture().join()));
        out.add("ex " + describe(() -> ex.toCompletableFuture().join()));
        out.add("ap " + describe(() -> ap.toCompletableFuture().join()));
        out.add("mm " + describe(() -> mm.toCompletableFuture().join()));
        out.add("comp " + describe(() -> comp.toCompletableFuture().join()));
        out.add("copy " + describe(() -> copyStage.toCompletableFuture().join()));
        out.add("ap class minimal " + describe(() -> ((CompletableFuture<String>) ap).isDone()));
        out.add("copy minimal " + describe(() -> ((CompletableFuture<String>) copyStage).isDone()));
        out.add("m toString " + describe(() -> m.toString().replaceAll(".*\\[", "[")));
        out.add("m getNow " + describe(() -> ((CompletableFuture<String>) m).getNow("x")));
        out.add("m obtrude " + describe(() -> { ((CompletableFuture<String>) m).obtrudeValue("x"); return null; }));
        out.add("m newIncomplete " + describe(() -> ((CompletableFuture<String>) m).newIncompleteFuture().isDone()));
        out.add("m exceptionallyCompose " + describe(() -> m.exceptionallyCompose(e -> CompletableFuture.completedFuture("ec")).toCompletableFuture().join()));
        out.add("m either " + describe(() -> m.applyToEither(new CompletableFuture<String>(), v -> v).toCompletableFuture().join()));
        out.add("m defaultExecutor " + describe(() -> String.valueOf(((CompletableFuture<String>) m).defaultExecutor() != null)));
        return out;
    }

    @Test
    void minimalStagesAgree() {
        List<Function<CompletableFuture<String>, Object>> completions = List.of(
                f -> f.complete("v"),
                f -> f.completeExceptionally(new IOException("disk")),
                f -> f.completeExceptionally(new java.util.concurrent.CompletionException(new IOException("disk"))),
                f -> f.cancel(true));
        List<String> diffs = new ArrayList<>();
        for (boolean before : new boolean[] {true, false}) {
            for (int i = 0; i < completions.size(); i++) {
                List<String> jdk = scenario(CompletableFuture::new, before, completions.get(i));
                List<String> ours = scenario(ManagedFuture::new, before, completions.get(i));
                for (int k = 0; k < jdk.size(); k++) {
                    if (!jdk.get(k).equals(ours.get(k))) {
                        diffs.add("completion " + i + " before=" + before + ": jdk [" + jdk.get(k) + "] ours [" + ours.get(k) + "]");
                    }
                }
            }
        }
        diffs.forEach(System.out::println);
        assertThat(diffs).isEmpty();
    }
}

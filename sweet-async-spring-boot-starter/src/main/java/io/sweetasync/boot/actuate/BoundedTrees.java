package io.sweetasync.boot.actuate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Maps a tree to its JSON descriptor, at most {@code limit} children per node and
 * {@value TaskDescriptor#MAX_DEPTH} levels below the top (fewer when asked: {@code depth} levels, and below
 * that only under the nodes {@code open} accepts), without recursion (task trees may be far deeper
 * than a thread's stack): the nodes are listed breadth-first with their parents' positions, then the
 * descriptors are built bottom-up, each from its node and its children's descriptors in order.
 */
final class BoundedTrees {

    private BoundedTrees() {
    }

    static <N, D> D map(N top, int limit, Function<N, List<N>> childrenOf, BiFunction<N, List<D>, D> describe) {
        return map(top, limit, TaskDescriptor.MAX_DEPTH, node -> false, childrenOf, describe);
    }

    /**
     * @param depth levels listed below {@code top} (at most {@value TaskDescriptor#MAX_DEPTH})
     * @param open  nodes whose children are listed below {@code depth} too (a page's expanded nodes)
     */
    static <N, D> D map(N top, int limit, int depth, Predicate<N> open, Function<N, List<N>> childrenOf,
            BiFunction<N, List<D>, D> describe) {
        List<N> order = new ArrayList<>();
        List<Integer> parents = new ArrayList<>();
        List<Integer> depths = new ArrayList<>();
        order.add(top);
        parents.add(-1);
        depths.add(0);
        for (int i = 0; i < order.size(); i++) {
            int level = depths.get(i);
            if (level >= TaskDescriptor.MAX_DEPTH || level >= depth && !open.test(order.get(i))) {
                continue;
            }
            List<N> children = childrenOf.apply(order.get(i));
            for (int c = 0; c < Math.min(limit, children.size()); c++) {
                order.add(children.get(c));
                parents.add(i);
                depths.add(depths.get(i) + 1);
            }
        }
        List<List<D>> built = new ArrayList<>(Collections.nCopies(order.size(), null));
        List<D> done = new ArrayList<>(Collections.nCopies(order.size(), null));
        for (int i = order.size() - 1; i >= 0; i--) {
            List<D> children = built.get(i) == null ? List.of() : List.copyOf(built.get(i).reversed());
            done.set(i, describe.apply(order.get(i), children));
            int parent = parents.get(i);
            if (parent >= 0) {
                if (built.get(parent) == null) {
                    built.set(parent, new ArrayList<>());
                }
                built.get(parent).add(done.get(i));
            }
            built.set(i, null);
        }
        return done.getFirst();
    }
}

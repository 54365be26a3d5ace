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
 *
 * <p>The trees of one list share a {@link Budget} of {@value TaskDescriptor#MAX_TASKS} nodes: per-node and
 * per-level bounds alone multiply (100 children of 100 children... to 64 levels), so a bushy tree would be listed
 * whole. Breadth-first, a tree keeps its upper levels when the budget runs out, and a tree whose turn comes after
 * that is its top alone ({@code childCount} says what was left out).
 */
final class BoundedTrees {

    private BoundedTrees() {
    }

    /** Nodes one list of an answer may still describe; not thread-safe (one per list, as it is built). */
    static final class Budget {

        private int left = TaskDescriptor.MAX_TASKS;

        /** The most nodes the next tree may list: what is left, and its top always. */
        private int cap() {
            return Math.max(1, left);
        }

        private void spend(int nodes) {
            left -= nodes;
        }
    }

    static <N, D> D map(N top, int limit, Function<N, List<N>> childrenOf, BiFunction<N, List<D>, D> describe) {
        return map(top, limit, TaskDescriptor.MAX_DEPTH, node -> false, childrenOf, describe, new Budget());
    }

    /**
     * @param depth  levels listed below {@code top} (at most {@value TaskDescriptor#MAX_DEPTH})
     * @param open   nodes whose children are listed below {@code depth} too (a page's expanded nodes)
     * @param budget nodes the list this tree belongs to may still describe; spent by what this tree lists
     */
    static <N, D> D map(N top, int limit, int depth, Predicate<N> open, Function<N, List<N>> childrenOf,
            BiFunction<N, List<D>, D> describe, Budget budget) {
        int cap = budget.cap();
        List<N> order = new ArrayList<>();
        List<Integer> parents = new ArrayList<>();
        List<Integer> depths = new ArrayList<>();
        order.add(top);
        parents.add(-1);
        depths.add(0);
        for (int i = 0; i < order.size() && order.size() < cap; i++) { // the budget spent: nothing more is added
            int level = depths.get(i);
            if (level >= TaskDescriptor.MAX_DEPTH || level >= depth && !open.test(order.get(i))) {
                continue;
            }
            List<N> children = childrenOf.apply(order.get(i));
            for (int c = 0; c < Math.min(limit, children.size()) && order.size() < cap; c++) {
                order.add(children.get(c));
                parents.add(i);
                depths.add(depths.get(i) + 1);
            }
        }
        budget.spend(order.size());
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

package io.sweetasync.boot.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/** The {@code sweet.async.task} observation: one per task, a child of the creating task's observation. */
public enum TaskObservationDocumentation implements ObservationDocumentation {

    TASK {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultTaskObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return LowCardinalityKeys.values();
        }

        @Override
        public KeyName[] getHighCardinalityKeyNames() {
            return HighCardinalityKeys.values();
        }
    };

    /** Bounded tags. */
    public enum LowCardinalityKeys implements KeyName {
        /** The task's name; {@code other} beyond the first 200 (the default convention). */
        NAME {
            @Override
            public String asString() {
                return "name";
            }
        },
        /** The concurrency group, {@code none} without one; {@code other} beyond the first 200 (the default convention). */
        GROUP {
            @Override
            public String asString() {
                return "group";
            }
        },
        /** The runtime. */
        RUNTIME {
            @Override
            public String asString() {
                return "runtime";
            }
        },
        /** The terminal status in lower case; absent while the task runs. */
        OUTCOME {
            @Override
            public String asString() {
                return "outcome";
            }
        }
    }

    /** Unbounded values: spans only, never metric tags. */
    public enum HighCardinalityKeys implements KeyName {
        /** The task's id. */
        TASK_ID {
            @Override
            public String asString() {
                return "task.id";
            }
        },
        /** The number of attempts. */
        ATTEMPTS {
            @Override
            public String asString() {
                return "task.attempts";
            }
        }
    }
}

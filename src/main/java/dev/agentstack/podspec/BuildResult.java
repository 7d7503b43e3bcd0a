package dev.agentstack.podspec;

import io.fabric8.kubernetes.api.model.batch.v1.Job;

/** What the builder made of a Buildkite job: a Kubernetes Job to create, or the reason the job cannot run. */
public sealed interface BuildResult permits BuildResult.Built, BuildResult.Failed {

    boolean valid();

    /** The Job to create; only for a valid result. */
    Job job();

    /** Why the job cannot run, in words for the Buildkite job log; only for an invalid result. */
    String reason();

    record Built(Job job) implements BuildResult {
        @Override
        public boolean valid() {
            return true;
        }

        @Override
        public String reason() {
            throw new IllegalStateException("a built job has no failure reason");
        }
    }

    record Failed(String reason) implements BuildResult {
        @Override
        public boolean valid() {
            return false;
        }

        @Override
        public Job job() {
            throw new IllegalStateException("a failed build has no Job: " + reason);
        }
    }
}

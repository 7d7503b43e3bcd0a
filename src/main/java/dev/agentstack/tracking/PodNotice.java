package dev.agentstack.tracking;

/**
 * Something a job's timeline should show about its pod while the job goes on (the Stacks API's notifications): an
 * image that cannot be pulled while the agent runs, a pod pending for long, a container OOMKilled, an eviction.
 *
 * @param uuid   the Buildkite job
 * @param key    what it is about, unique per pod (e.g. {@code <pod>/oom/<container>}): each is told once
 * @param detail the note, e.g. {@code Container "build" was OOMKilled (memory limit 512Mi)}
 */
public record PodNotice(String uuid, String key, String detail) {}

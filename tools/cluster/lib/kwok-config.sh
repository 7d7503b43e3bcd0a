# kwok's configuration: the node stages from the kwok module itself (read from the Go module cache, not copied into
# this repository) and our pod stages, which play the kubelet for every path the controller's watchers handle.
# A pod's images choose its fate:
#   contains "does-not-exist"  a container whose image it is waits in ImagePullBackOff, for ever
#   contains "init-fails"      that init container exits 1, the pod fails (restartPolicy Never, as our Jobs use)
#   contains "exits-1"         runs, then that container exits 1 and the pod fails
#   contains "runs-forever"    runs until deleted
#   anything else              runs, then, if a Job owns the pod, succeeds after AGENT_STACK_CLUSTER_POD_RUN_MS
# (a pod that no Job owns, such as a controller replica's, runs until deleted).
# shellcheck shell=bash

kwok_module_dir() {
  local version
  version="$(awk '$1 == "sigs.k8s.io/kwok" { print $2 }' "$here/build/go.mod" | head -n1)"
  echo "$(cd "$here/build" && go env GOMODCACHE)/sigs.k8s.io/kwok@$version"
}

# jq-style selector keys: each yields something only when an image of that kind of container contains the text.
image_key() { echo "((.spec.$1 // []) | .[] | .image | select(contains(\"$2\")))"; }

write_kwok_config() {
  local run_ms="$1" kwok
  kwok="$(kwok_module_dir)"
  # No KwokConfiguration document: with one, kwok leaves its unset options at zero instead of their defaults.
  cat "$kwok/kustomize/stage/node/fast/node-initialize.yaml"
  echo "---"
  cat "$kwok/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml"
  cat <<YAML
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-image-pull-backoff
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - {key: '.metadata.deletionTimestamp', operator: DoesNotExist}
    - {key: '.status.phase', operator: In, values: [Pending]}
    - key: >-
        [$(image_key containers does-not-exist), $(image_key initContainers does-not-exist)] | .[0]
      operator: Exists
    - key: >-
        ((.status.containerStatuses // []) + (.status.initContainerStatuses // [])) | .[] | .state.waiting.reason
      operator: NotIn
      values: [ImagePullBackOff]
  next:
    event: {type: Warning, reason: Failed, message: "Error: ImagePullBackOff"}
    statusTemplate: |
      {{ \$now := Now }}
      conditions:
      - {type: PodScheduled, status: "True", lastTransitionTime: {{ \$now | Quote }}}
      - {type: Ready, status: "False", reason: ContainersNotReady, lastTransitionTime: {{ \$now | Quote }}}
      - {type: ContainersReady, status: "False", reason: ContainersNotReady, lastTransitionTime: {{ \$now | Quote }}}
      {{ \$blocked := false }}
      initContainerStatuses:
      {{ range .spec.initContainers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        restartCount: 0
        {{ if \$blocked }}
        state:
          waiting: {reason: PodInitializing}
        {{ else if contains "does-not-exist" .image }}
        {{ \$blocked = true }}
        state:
          waiting:
            reason: ImagePullBackOff
            message: {{ printf "Back-off pulling image %q: ErrImagePull: %s: not found" .image .image | Quote }}
        {{ else }}
        state:
          terminated: {exitCode: 0, reason: Completed, startedAt: {{ \$now | Quote }}, finishedAt: {{ \$now | Quote }}}
        {{ end }}
      {{ end }}
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        restartCount: 0
        state:
          waiting:
            {{ if \$blocked }}
            reason: PodInitializing
            {{ else if contains "does-not-exist" .image }}
            reason: ImagePullBackOff
            message: {{ printf "Back-off pulling image %q: ErrImagePull: %s: not found" .image .image | Quote }}
            {{ else }}
            reason: ContainerCreating
            {{ end }}
      {{ end }}
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      phase: Pending
      startTime: {{ \$now | Quote }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-init-container-fails
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - {key: '.metadata.deletionTimestamp', operator: DoesNotExist}
    - {key: '.status.phase', operator: In, values: [Pending]}
    - {key: '$(image_key containers does-not-exist)', operator: DoesNotExist}
    - {key: '$(image_key initContainers does-not-exist)', operator: DoesNotExist}
    - {key: '$(image_key initContainers init-fails)', operator: Exists}
  next:
    statusTemplate: |
      {{ \$now := Now }}
      {{ \$failed := false }}
      conditions:
      - {type: PodScheduled, status: "True", lastTransitionTime: {{ \$now | Quote }}}
      - {type: Initialized, status: "False", reason: ContainersNotInitialized, lastTransitionTime: {{ \$now | Quote }}}
      - {type: Ready, status: "False", reason: PodFailed, lastTransitionTime: {{ \$now | Quote }}}
      - {type: ContainersReady, status: "False", reason: PodFailed, lastTransitionTime: {{ \$now | Quote }}}
      initContainerStatuses:
      {{ range .spec.initContainers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        restartCount: 0
        {{ if \$failed }}
        state:
          waiting: {reason: PodInitializing}
        {{ else if contains "init-fails" .image }}
        {{ \$failed = true }}
        state:
          terminated: {exitCode: 1, reason: Error, startedAt: {{ \$now | Quote }}, finishedAt: {{ \$now | Quote }}}
        {{ else }}
        state:
          terminated: {exitCode: 0, reason: Completed, startedAt: {{ \$now | Quote }}, finishedAt: {{ \$now | Quote }}}
        {{ end }}
      {{ end }}
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        restartCount: 0
        state:
          waiting: {reason: PodInitializing}
      {{ end }}
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      phase: Failed
      startTime: {{ \$now | Quote }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-ready
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - {key: '.metadata.deletionTimestamp', operator: DoesNotExist}
    - {key: '.status.phase', operator: In, values: [Pending]}
    - {key: '$(image_key containers does-not-exist)', operator: DoesNotExist}
    - {key: '$(image_key initContainers does-not-exist)', operator: DoesNotExist}
    - {key: '$(image_key initContainers init-fails)', operator: DoesNotExist}
  next:
    statusTemplate: |
      {{ \$now := Now }}
      conditions:
      - {type: PodScheduled, status: "True", lastTransitionTime: {{ \$now | Quote }}}
      - {type: Initialized, status: "True", lastTransitionTime: {{ \$now | Quote }}}
      - {type: Ready, status: "True", lastTransitionTime: {{ \$now | Quote }}}
      - {type: ContainersReady, status: "True", lastTransitionTime: {{ \$now | Quote }}}
      initContainerStatuses:
      {{ range .spec.initContainers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: true
        restartCount: 0
        {{ if eq .restartPolicy "Always" }}
        started: true
        state:
          running: {startedAt: {{ \$now | Quote }}}
        {{ else }}
        state:
          terminated: {exitCode: 0, reason: Completed, startedAt: {{ \$now | Quote }}, finishedAt: {{ \$now | Quote }}}
        {{ end }}
      {{ end }}
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: true
        started: true
        restartCount: 0
        state:
          running: {startedAt: {{ \$now | Quote }}}
      {{ end }}
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      podIP: {{ PodIPWith .spec.nodeName (or .spec.hostNetwork false)
                (or .metadata.uid "") (or .metadata.name "") (or .metadata.namespace "") | Quote }}
      phase: Running
      startTime: {{ \$now | Quote }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-complete
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - {key: '.metadata.deletionTimestamp', operator: DoesNotExist}
    - {key: '.status.phase', operator: In, values: [Running]}
    - {key: '(.metadata.ownerReferences // []) | .[] | .kind', operator: In, values: [Job]}
    - {key: '$(image_key containers runs-forever)', operator: DoesNotExist}
  delay:
    durationMilliseconds: $run_ms
  next:
    statusTemplate: |
      {{ \$now := Now }}
      {{ \$phase := "Succeeded" }}
      conditions:
      - {type: Ready, status: "False", reason: PodCompleted, lastTransitionTime: {{ \$now | Quote }}}
      - {type: ContainersReady, status: "False", reason: PodCompleted, lastTransitionTime: {{ \$now | Quote }}}
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        started: false
        restartCount: 0
        state:
          {{ if contains "exits-1" .image }}
          {{ \$phase = "Failed" }}
          terminated: {exitCode: 1, reason: Error, startedAt: {{ \$now | Quote }}, finishedAt: {{ \$now | Quote }}}
          {{ else }}
          terminated: {exitCode: 0, reason: Completed, startedAt: {{ \$now | Quote }}, finishedAt: {{ \$now | Quote }}}
          {{ end }}
      {{ end }}
      phase: {{ \$phase }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-delete
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - {key: '.metadata.deletionTimestamp', operator: Exists}
  next:
    delete: true
YAML
}

# A fake node for kwok to manage: the annotation selects it, the capacity lets the scheduler place many pods on it.
fake_node() {
  cat <<JSON
{"apiVersion": "v1", "kind": "Node",
 "metadata": {"name": "$1",
   "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
   "labels": {"kubernetes.io/hostname": "$1", "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
              "type": "kwok"}},
 "status": {"allocatable": {"cpu": "64", "memory": "256Gi", "pods": "250"},
            "capacity": {"cpu": "64", "memory": "256Gi", "pods": "250"}}}
JSON
}

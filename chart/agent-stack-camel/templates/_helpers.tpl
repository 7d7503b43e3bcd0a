{{/*
Names and labels (Bitnami / helm create conventions).
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "agent-stack-camel.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The full name of every object: fullnameOverride, else <release>-<name> (just <release> when it contains the name). */}}
{{- define "agent-stack-camel.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A name derived from the full name, e.g. include "agent-stack-camel.child" (list . "config"). */}}
{{- define "agent-stack-camel.child" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "agent-stack-camel.fullname" $root | trunc (int (sub 62 (len (index . 1)))) | trimSuffix "-") (index . 1) -}}
{{- end -}}

{{- define "agent-stack-camel.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The labels that select the controller's pods: the Deployment, the Service, the PodMonitor and leader election use them. */}}
{{- define "agent-stack-camel.selectorLabels" -}}
app.kubernetes.io/name: {{ include "agent-stack-camel.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The labels of every object. */}}
{{- define "agent-stack-camel.labels" -}}
helm.sh/chart: {{ include "agent-stack-camel.chart" . }}
{{ include "agent-stack-camel.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: controller
app.kubernetes.io/part-of: buildkite
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/*
The controller image: repository@digest, else repository:tag, the tag defaulting to appVersion. image may also be one
string, as in agent-stack-k8s' values, used as it is; the original's own controller image cannot run this chart's
config, so it is replaced by ours (the install notes say so).
*/}}
{{- define "agent-stack-camel.image" -}}
{{- if kindIs "string" .Values.image -}}
{{- if include "agent-stack-camel.originalControllerImage" . -}}
{{- printf "%s:%s" (include "agent-stack-camel.defaultRepository" .) .Chart.AppVersion -}}
{{- else -}}
{{- .Values.image -}}
{{- end -}}
{{- else if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* image.repository's default in values.yaml, for an image given as a string; ChartTest keeps the two equal. */}}
{{- define "agent-stack-camel.defaultRepository" -}}ghcr.io/agent-stack-camel/agent-stack-camel{{- end -}}

{{/* True (non-empty) when image is agent-stack-k8s' controller image, given as a string. */}}
{{- define "agent-stack-camel.originalControllerImage" -}}
{{- if kindIs "string" .Values.image -}}
{{- if regexMatch "(^|/)agent-stack-k8s/controller([:@]|$)" .Values.image -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{/* image.pullPolicy; IfNotPresent for an image given as a string. */}}
{{- define "agent-stack-camel.imagePullPolicy" -}}
{{- if kindIs "string" .Values.image -}}IfNotPresent{{- else -}}{{ .Values.image.pullPolicy }}{{- end -}}
{{- end -}}

{{/*
Credentials, in two Secrets so that job pods can be kept away from the GraphQL token. The agent-token Secret (the
chart's own, or agentStackSecret) lives in the jobs namespace: the agent container of every job pod reads
BUILDKITE_AGENT_TOKEN from it (the controller's agent-token-secret option). The GraphQL-token Secret (the chart's own,
or graphqlTokenExistingSecret) lives in the release namespace, where only the controller reads BUILDKITE_TOKEN.
*/}}
{{- define "agent-stack-camel.secretName" -}}
{{- default (include "agent-stack-camel.child" (list . "agent-token")) .Values.agentStackSecret -}}
{{- end -}}

{{/*
The GraphQL-token Secret and its key. Empty when the chart does not know it: with agentStackSecret alone the controller
reads BUILDKITE_TOKEN from that Secret, as the original chart did.
*/}}
{{- define "agent-stack-camel.graphqlTokenSecretName" -}}
{{- if .Values.graphqlTokenExistingSecret -}}
{{- .Values.graphqlTokenExistingSecret -}}
{{- else if .Values.graphqlToken -}}
{{- include "agent-stack-camel.child" (list . "graphql-token") -}}
{{- end -}}
{{- end -}}

{{- define "agent-stack-camel.graphqlTokenSecretKey" -}}
{{- if .Values.graphqlTokenExistingSecret -}}{{ .Values.graphqlTokenExistingSecretKey }}{{- else -}}BUILDKITE_TOKEN{{- end -}}
{{- end -}}

{{/*
True (non-empty) when the controller may have a GraphQL token to read into BUILDKITE_TOKEN: the chart's Secret, an
existing one, or agentStackSecret in the release namespace (as in the original chart, where it may also hold only the
agent token). Without one, the controller takes its jobs from the Stacks API.
*/}}
{{- define "agent-stack-camel.graphqlTokenGiven" -}}
{{- if include "agent-stack-camel.graphqlTokenSecretName" . -}}true
{{- else if and .Values.agentStackSecret (not (include "agent-stack-camel.separateJobsNamespace" .)) -}}true
{{- end -}}
{{- end -}}

{{/* The namespace Jobs run in (the controller's namespace option): jobsNamespace, else the release namespace. */}}
{{- define "agent-stack-camel.jobsNamespace" -}}
{{- default .Release.Namespace .Values.jobsNamespace -}}
{{- end -}}

{{/* True (non-empty) when Jobs run in a namespace other than the release namespace. */}}
{{- define "agent-stack-camel.separateJobsNamespace" -}}
{{- if ne (include "agent-stack-camel.jobsNamespace" .) .Release.Namespace -}}true{{- end -}}
{{- end -}}

{{/* The job pods' ServiceAccount: the chart's own (<fullname>-job unless named), an existing one, or none. */}}
{{- define "agent-stack-camel.jobServiceAccountName" -}}
{{- if .Values.jobServiceAccount.create -}}
{{- default (include "agent-stack-camel.child" (list . "job")) .Values.jobServiceAccount.name -}}
{{- else -}}
{{- .Values.jobServiceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
The level the jobs namespace enforces through Pod Security Admission: the most permissive Pod Security Standard the
controller lets job pods have (its pod-security-level option, default baseline, or a queue's own), so that admission
never refuses a pod the controller allowed.
*/}}
{{- define "agent-stack-camel.podSecurityLevel" -}}
{{- $rank := dict "privileged" 0 "baseline" 1 "restricted" 2 -}}
{{- $levels := list (default "baseline" (index .Values.config "pod-security-level")) -}}
{{- range default (list) (index .Values.config "queues") -}}
{{- with index . "pod-security-level" }}{{ $levels = append $levels . }}{{ end -}}
{{- end -}}
{{- $level := "restricted" -}}
{{- range $levels -}}
{{- if not (hasKey $rank .) -}}
{{- fail (printf "pod-security-level must be privileged, baseline or restricted, got %q" .) -}}
{{- end -}}
{{- if lt (int (get $rank .)) (int (get $rank $level)) }}{{ $level = . }}{{ end -}}
{{- end -}}
{{- $level -}}
{{- end -}}

{{/* True (non-empty) when replicas compete for a Lease: more than one replica, or config.leader-election: true. */}}
{{- define "agent-stack-camel.leaderElection" -}}
{{- $configured := index .Values.config "leader-election" -}}
{{- if and (gt (int .Values.replicas) 1) (kindIs "bool" $configured) (not $configured) -}}
{{- fail "replicas > 1 needs leader election: remove config.leader-election: false (the chart turns it on), or set replicas: 1" -}}
{{- end -}}
{{- $on := or (gt (int .Values.replicas) 1) $configured -}}
{{- if $on -}}true{{- end -}}
{{- end -}}

{{/* The controller's id: config.id, else the release's full name. */}}
{{- define "agent-stack-camel.id" -}}
{{- default (include "agent-stack-camel.fullname" .) (index .Values.config "id") -}}
{{- end -}}

{{/* The Lease replicas compete for: leader-election-lease-name, else <id>-leader as ControllerConfig derives it. */}}
{{- define "agent-stack-camel.leaseName" -}}
{{- $derived := printf "%s-leader" (regexReplaceAll "[^a-z0-9-]" (lower (include "agent-stack-camel.id" .)) "-") -}}
{{- default $derived (index .Values.config "leader-election-lease-name") -}}
{{- end -}}

{{/* The management port (health and metrics); the probes, the Service and the PodMonitor need it. */}}
{{- define "agent-stack-camel.managementPort" -}}
{{- if hasKey .Values.config "management-port" -}}
{{- $port := index .Values.config "management-port" -}}
{{- if eq (int $port) 0 -}}
{{- fail "config.management-port: 0 turns off the health and metrics endpoints that the chart's probes and Service use; pick a port" -}}
{{- end -}}
{{- int $port -}}
{{- else -}}8080{{- end -}}
{{- end -}}

{{/* Where the container finds its files. */}}
{{- define "agent-stack-camel.configDir" -}}/etc/agent-stack-camel/config{{- end -}}
{{- define "agent-stack-camel.routesDir" -}}/etc/agent-stack-camel/routes{{- end -}}

{{/*
The controller's config.yaml: the user's config block plus the keys the chart owns, so the file always agrees with
the objects the chart creates (namespace and RBAC, the Secret, the pod labels, the routes volume).
*/}}
{{- define "agent-stack-camel.controllerConfig" -}}
{{- $config := deepCopy .Values.config -}}
{{- if hasKey $config "integration-test-buildkite-token" -}}
{{- /* A token never goes into a ConfigMap; the key stays, so the controller still says it ignores it. */ -}}
{{- $_ := set $config "integration-test-buildkite-token" "" -}}
{{- end -}}
{{- $_ := set $config "id" (include "agent-stack-camel.id" .) -}}
{{- $_ := set $config "namespace" (include "agent-stack-camel.jobsNamespace" .) -}}
{{- $_ := set $config "agent-token-secret" (include "agent-stack-camel.secretName" .) -}}
{{- with include "agent-stack-camel.graphqlTokenSecretName" . }}{{ $_ := set $config "buildkite-token-secret" . }}{{ end -}}
{{- with include "agent-stack-camel.jobServiceAccountName" . }}{{ $_ := set $config "job-service-account" . }}{{ end -}}
{{- if include "agent-stack-camel.leaderElection" . -}}
{{- $_ := set $config "leader-election" true -}}
{{- /* The Lease and the replicas' pods are in the release namespace, wherever the Jobs are. */ -}}
{{- $_ := set $config "leader-election-namespace" .Release.Namespace -}}
{{- $selector := list -}}
{{- range $key, $value := (include "agent-stack-camel.selectorLabels" . | fromYaml) -}}
{{- $selector = append $selector (printf "%s=%s" $key $value) -}}
{{- end -}}
{{- $_ := set $config "leader-election-pod-selector" $selector -}}
{{- end -}}
{{- if .Values.routes -}}
{{- $_ := set $config "routes-dir" (include "agent-stack-camel.routesDir" .) -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}

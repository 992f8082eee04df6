{{/* Names and labels (the usual Helm conventions). */}}
{{- define "quote-helper.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "quote-helper.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "quote-helper.selectorLabels" -}}
app.kubernetes.io/name: {{ include "quote-helper.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "quote-helper.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "quote-helper.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: quote-helper
{{- end }}

{{- define "quote-helper.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "quote-helper.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* "true" in hardware mode, "" in simulation; any other mode is refused. */}}
{{- define "quote-helper.hardware" -}}
{{- if eq .Values.mode "hardware" }}true
{{- else if ne .Values.mode "simulation" }}
{{- fail (printf "mode must be simulation or hardware, not %q" .Values.mode) }}
{{- end }}
{{- end }}

{{/* The image reference; refuses "latest" (a DaemonSet must roll from one known version to another). */}}
{{- define "quote-helper.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag | toString }}
{{- if or (eq $tag "latest") (hasPrefix "latest-" $tag) }}
{{- fail "image.tag must name a version, not latest" }}
{{- end }}
{{- if include "quote-helper.hardware" . }}
{{- $tag = printf "%s%s" $tag .Values.image.hardwareTagSuffix }}
{{- end }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}

{{/* "true" when the helper pod runs the collateral server (simulation mode, collateralServer.enabled), else "". */}}
{{- define "quote-helper.collateralServer" -}}
{{- if and (not (include "quote-helper.hardware" .)) .Values.collateralServer.enabled }}true{{- end }}
{{- end }}

{{/* The collateral Service's URL as a pod in the cluster reaches it (the PCCS base URL of `collateral --pccs`). */}}
{{- define "quote-helper.collateralUrl" -}}
{{- printf "http://%s-collateral.%s.svc:%d/" (include "quote-helper.fullname" .) .Release.Namespace (int .Values.collateralServer.port) }}
{{- end }}

{{/* Paths inside the containers. Workloads and Intel's client library expect exactly this socket path. */}}
{{- define "quote-helper.socketDir" -}}/var/run/aesmd{{- end }}
{{- define "quote-helper.socketPath" -}}/var/run/aesmd/aesm.socket{{- end }}
{{- define "quote-helper.stateDir" -}}/var/lib/quote-helper{{- end }}

{{/* Checks that span several values. */}}
{{- define "quote-helper.validate" -}}
{{- $_ := include "quote-helper.hardware" . }}
{{- if le (int .Values.terminationGracePeriodSeconds) (int .Values.daemon.shutdownTimeoutSeconds) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed daemon.shutdownTimeoutSeconds (%v), or the kubelet kills a draining helper" .Values.terminationGracePeriodSeconds .Values.daemon.shutdownTimeoutSeconds) }}
{{- end }}
{{- if and .Values.sampleWorkload.enabled (include "quote-helper.hardware" .) }}
{{- fail "sampleWorkload runs a simulated enclave and needs mode: simulation" }}
{{- end }}
{{- if and (include "quote-helper.collateralServer" .) (eq (int .Values.collateralServer.port) (int .Values.daemon.metricsPort)) }}
{{- fail (printf "collateralServer.port and daemon.metricsPort must differ (one pod network namespace), both are %v" .Values.daemon.metricsPort) }}
{{- end }}
{{- if and .Values.sampleWorkload.enabled (not .Values.collateralServer.enabled) }}
{{- fail "sampleWorkload fetches its collateral from the collateral server: it needs collateralServer.enabled" }}
{{- end }}
{{- if and (include "quote-helper.hardware" .) (not .Values.sgx.epcResource.name) }}
{{- fail "hardware mode needs sgx.epcResource.name (the device plugin's EPC resource)" }}
{{- end }}
{{- end }}

{{/* Security context and resources shared by the sample workload's three containers. */}}
{{- define "quote-helper.sampleContainerCommon" -}}
securityContext:
  privileged: false
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: ["ALL"]
resources:
  requests:
    cpu: 50m
    memory: 64Mi
  limits:
    cpu: 500m
    memory: 192Mi
{{- end }}

{{- define "slrt.labels" -}}
app.kubernetes.io/part-of: slrt
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{- define "slrt.operator.name" -}}
{{ .Release.Name }}-operator
{{- end }}

{{- define "slrt.operator.selector" -}}
app.kubernetes.io/name: slrt-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
A component's image: REPOSITORY/slrt-COMPONENT:TAG, pinned by digest when
image.digests has one (`make images` writes them: bin/images/values.yaml).
Call with (dict "root" $ "component" "operator").
*/}}
{{- define "slrt.image" -}}
{{- $image := .root.Values.image -}}
{{- $repository := required "image.repository: set it to the registry repository `make push REGISTRY=...` pushed the images to" $image.repository | trimSuffix "/" -}}
{{- $ref := printf "%s/slrt-%s:%s" $repository .component ($image.tag | default .root.Chart.AppVersion) -}}
{{- with get ($image.digests | default dict) .component -}}
{{- $ref = printf "%s@%s" $ref . -}}
{{- end -}}
{{ $ref }}
{{- end }}

{{/* The Secret holding a database server's admin connection. */}}
{{- define "slrt.serverSecret" -}}
{{- if .server.existingSecret -}}
{{ .server.existingSecret }}
{{- else -}}
{{ .root.Release.Name }}-postgres-{{ .server.name }}
{{- end -}}
{{- end }}

{{/* The Secret holding the NIK index key. */}}
{{- define "slrt.nikIndexKeySecret" -}}
{{- .Values.api.nikIndexKey.existingSecret | default (printf "%s-nik-index-key" .Release.Name) -}}
{{- end }}

{{/*
GOMEMLIMIT from the container's memory limit: the Go runtime collects
garbage harder as it nears the limit instead of being killed at it.
*/}}
{{- define "slrt.goMemLimit" -}}
- name: GOMEMLIMIT
  valueFrom:
    resourceFieldRef:
      resource: limits.memory
{{- end }}

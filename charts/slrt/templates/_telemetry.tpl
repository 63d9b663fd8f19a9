{{/* OpenTelemetry environment shared by the operator and the API. */}}
{{- define "slrt.otelEnv" -}}
{{- with .Values.telemetry.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ $.Values.telemetry.otlpProtocol | quote }}
- name: OTEL_TRACES_SAMPLER
  value: {{ $.Values.telemetry.sampler | quote }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ $.Values.telemetry.samplerArg | quote }}
{{- end }}
{{- with .Values.telemetry.resourceAttributes }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ . | quote }}
{{- end }}
{{- end }}

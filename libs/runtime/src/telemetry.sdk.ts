import { NodeSDK, metrics, tracing } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import type { RuntimeConfig } from './runtime.config';

export interface Telemetry {
  readonly exporter: RuntimeConfig['otel']['exporter'];
  /** Flushes pending spans and metrics; safe to call more than once. */
  shutdown(): Promise<void>;
}

const METRIC_INTERVAL_MS = 60_000;

/**
 * Starts the OpenTelemetry NodeSDK before the app is created (so instrumentations patch modules
 * first) and is shut down last. With exporter `none` nothing is started: the @opentelemetry/api
 * stays a no-op, which is what tests want.
 *
 * Exporters are passed explicitly rather than left to OTEL_* variables because NodeSDK otherwise
 * defaults logs and metrics to an OTLP endpoint on localhost, which would surprise `console` users.
 */
export function startTelemetry(service: string, otel: RuntimeConfig['otel']): Telemetry {
  if (otel.exporter === 'none') {
    return { exporter: 'none', shutdown: async () => undefined };
  }
  const traceExporter =
    otel.exporter === 'console'
      ? new tracing.ConsoleSpanExporter()
      : new OTLPTraceExporter({ url: `${otel.endpoint}/v1/traces` });
  const metricExporter =
    otel.exporter === 'console'
      ? new metrics.ConsoleMetricExporter()
      : new OTLPMetricExporter({ url: `${otel.endpoint}/v1/metrics` });
  const sdk = new NodeSDK({
    serviceName: service,
    traceExporter,
    metricReaders: [
      new metrics.PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: METRIC_INTERVAL_MS }),
    ],
    // Logs go to stdout as JSON (JsonLogger); collectors scrape them there.
    logRecordProcessors: [],
  });
  sdk.start();
  let stopping: Promise<void> | undefined;
  return {
    exporter: otel.exporter,
    shutdown: () => (stopping ??= sdk.shutdown()),
  };
}

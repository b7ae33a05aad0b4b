export { baseEnvSchema, loadConfig } from './runtime.config';
export type { Env, EnvShape, LoadConfigOptions, LogLevel, OtelExporter, RuntimeConfig, ServiceConfig } from './runtime.config';
export { JsonLogger } from './json.logger';
export type { JsonLoggerOptions, LogFields, LogSink } from './json.logger';
export { startTelemetry } from './telemetry.sdk';
export type { Telemetry } from './telemetry.sdk';
export { HandlerRegistry } from './handler.registry';
export type { EventContext, EventHandler } from './handler.registry';
export { EventPublisher } from './event.publisher';
export { EventTally } from './event.tally';
export { countingHandler } from './placeholder.handler';
export type { TopicTally } from './event.tally';
export { HealthService, busCheck, storeCheck } from './health.service';
export type { CheckResult, HealthCheck, HealthReport } from './health.service';
export { HealthController } from './health.controller';
export { RuntimeModule } from './runtime.module';
export type { RuntimeContext } from './runtime.module';
export {
  EVENT_PUBLISHER,
  HANDLER_REGISTRY,
  HEALTH,
  MESSAGE_BUS,
  RUNTIME_CONFIG,
  RUNTIME_LOGGER,
  STORE,
} from './runtime.tokens';
export { bootstrapService, runService } from './service.bootstrap';
export type { BootOptions, RunningService, ServiceDefinition, ShutdownReport, ShutdownStep } from './service.bootstrap';
export { bootServiceForTest, waitUntil } from './service-test.harness';
export type { TestService, TestServiceOptions } from './service-test.harness';

/**
 * Injection tokens of the runtime. Code runs through esbuild without emitDecoratorMetadata, so Nest
 * cannot infer constructor types: every injection names its token with @Inject(TOKEN).
 */
export const RUNTIME_CONFIG = 'quant.runtime.config';
export const RUNTIME_LOGGER = 'quant.runtime.logger';
export const MESSAGE_BUS = 'quant.runtime.message-bus';
export const STORE = 'quant.runtime.store';
export const HANDLER_REGISTRY = 'quant.runtime.handler-registry';
export const EVENT_PUBLISHER = 'quant.runtime.event-publisher';
export const HEALTH = 'quant.runtime.health';

import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { MessageBus } from '@quant/bus';
import type { Store } from '@quant/storage';
import { HealthController } from './health.controller';
import type { HealthService } from './health.service';
import type { HandlerRegistry } from './handler.registry';
import type { EventPublisher } from './event.publisher';
import type { JsonLogger } from './json.logger';
import type { RuntimeConfig } from './runtime.config';
import { EVENT_PUBLISHER, HANDLER_REGISTRY, HEALTH, MESSAGE_BUS, RUNTIME_CONFIG, RUNTIME_LOGGER, STORE } from './runtime.tokens';

export interface RuntimeContext {
  config: RuntimeConfig;
  logger: JsonLogger;
  bus: MessageBus;
  store: Store;
  registry: HandlerRegistry;
  publisher: EventPublisher;
  health: HealthService;
}

/**
 * Global module exposing the runtime's objects to the service modules. They are created before
 * Nest (the bus and store must be open before handlers register, and closed after the app) and
 * handed in as values, so the bootstrap, not Nest, owns their lifecycle.
 */
@Module({})
export class RuntimeModule {
  static forRoot(context: RuntimeContext): DynamicModule {
    const providers = [
      { provide: RUNTIME_CONFIG, useValue: context.config },
      { provide: RUNTIME_LOGGER, useValue: context.logger },
      { provide: MESSAGE_BUS, useValue: context.bus },
      { provide: STORE, useValue: context.store },
      { provide: HANDLER_REGISTRY, useValue: context.registry },
      { provide: EVENT_PUBLISHER, useValue: context.publisher },
      { provide: HEALTH, useValue: context.health },
    ];
    return {
      module: RuntimeModule,
      global: true,
      controllers: [HealthController],
      providers,
      exports: providers.map((p) => p.provide),
    };
  }
}

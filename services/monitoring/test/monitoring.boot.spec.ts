// Boots the real app on the in-process bus and a chdb store in a temp dir; the shared service contract.
import { describeServiceContract } from '@quant/testing';
import { MonitoringEventsHandler } from '../src/monitoring-events.handler';
import { monitoringService } from '../src/monitoring.module';

describeServiceContract(monitoringService, { handler: MonitoringEventsHandler, topics: ['prediction', 'alert', 'modelLifecycle'] });

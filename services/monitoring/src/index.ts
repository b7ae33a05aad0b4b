export { MonitoringModule, monitoringService } from './monitoring.module';
export { MonitoringEventsHandler } from './monitoring-events.handler';

import { runService } from '@quant/runtime';
import { monitoringService } from './monitoring.module';

// Configuration comes from QUANT_* environment variables (see libs/runtime/README.md).
await runService(monitoringService);

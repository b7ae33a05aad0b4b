import { runService } from '@quant/runtime';
import { inferenceService } from './inference.module';

// Configuration comes from QUANT_* environment variables (see libs/runtime/README.md).
await runService(inferenceService);

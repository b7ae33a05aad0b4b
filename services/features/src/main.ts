import { runService } from '@quant/runtime';
import { featuresService } from './features.module';

// Configuration comes from QUANT_* environment variables (see libs/runtime/README.md).
await runService(featuresService);

import { runService } from '@quant/runtime';
import { trainingService } from './training.module';

// Configuration comes from QUANT_* environment variables (see libs/runtime/README.md).
await runService(trainingService);

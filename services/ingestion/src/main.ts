import { runService } from '@quant/runtime';
import { ingestionService } from './ingestion.module';

// Configuration comes from QUANT_* environment variables (see libs/runtime/README.md).
await runService(ingestionService);

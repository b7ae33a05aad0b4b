import { runService } from '@quant/runtime';
import { feedbackService } from './feedback.module';

// Configuration comes from QUANT_* environment variables (see libs/runtime/README.md).
await runService(feedbackService);

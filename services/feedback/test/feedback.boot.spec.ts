// Boots the real app on the in-process bus and a chdb store in a temp dir; the shared service contract.
import { describeServiceContract } from '@quant/testing';
import { FeedbackEventsHandler } from '../src/feedback-events.handler';
import { feedbackService } from '../src/feedback.module';

describeServiceContract(feedbackService, { handler: FeedbackEventsHandler, topics: ['feedback', 'outcome'] });

import { describeBusContract } from './bus.contract';
import { createInProcessBus } from '../src/index';

describeBusContract('in-process', () => createInProcessBus(), { waitMs: 5_000 });

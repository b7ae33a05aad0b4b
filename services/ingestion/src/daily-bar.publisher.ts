import { Inject, Injectable } from '@nestjs/common';
import type { DailyBar } from '@quant/contracts';
import { Topics } from '@quant/contracts';
import type { EventPublisher } from '@quant/runtime';
import { EVENT_PUBLISHER } from '@quant/runtime';

/**
 * Where ingested bars leave the service: Avro on the daily-bar topic, keyed by instrument code so
 * each instrument's bars stay in order. The vendor adapters that feed it come with a later issue.
 */
@Injectable()
export class DailyBarPublisher {
  constructor(@Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher) {}

  async publish(bars: readonly DailyBar[]): Promise<void> {
    await this.publisher.publish(Topics.dailyBar, bars);
  }
}

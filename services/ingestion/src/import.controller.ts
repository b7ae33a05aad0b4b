import { BadRequestException, Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { z } from 'zod';
import type { MessageBus } from '@quant/bus';
import { describeError } from '@quant/errors';
import { assertIsoDate, canonicalCode } from '@quant/market';
import type { ImportReport } from '@quant/market-data';
import { SOURCE_KINDS, createSource, importMarketData } from '@quant/market-data';
import { MESSAGE_BUS } from '@quant/runtime';
import { MarketDataStoreWriter } from './market-data.store-writer';

const importRequest = z
  .object({
    source: z.enum(SOURCE_KINDS),
    dir: z.string().min(1).optional(),
    universe: z.string().min(1).optional(),
    codes: z.array(z.string()).optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    full: z.boolean().optional(),
  })
  .strict();

/**
 * `POST /imports`: reads a source, validates it and publishes the valid records as events (rejects to
 * the dead-letter topic). It answers once everything is published; storing happens in the store writer
 * (this service's or another replica's), so the response reports what was published, not stored.
 */
@Controller('imports')
export class ImportController {
  constructor(
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(MarketDataStoreWriter) private readonly writer: MarketDataStoreWriter,
  ) {}

  @Post()
  @HttpCode(202)
  async start(@Body() body: unknown): Promise<ImportReport> {
    const parsed = importRequest.safeParse(body);
    if (!parsed.success) {
      throw new BadRequestException(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    }
    const request = parsed.data;
    let source;
    let codes: string[] | undefined;
    try {
      source = createSource(request.source, request.dir);
      codes = request.codes?.map(canonicalCode);
      if (request.from) assertIsoDate(request.from, 'from');
      if (request.to) assertIsoDate(request.to, 'to');
    } catch (error) {
      throw new BadRequestException(describeError(error).message);
    }
    return importMarketData({
      source,
      bus: this.bus,
      repository: this.writer.repository,
      ...(request.universe ? { universe: request.universe } : {}),
      ...(codes ? { codes } : {}),
      ...(request.from ? { from: request.from } : {}),
      ...(request.to ? { to: request.to } : {}),
      ...(request.full ? { full: true } : {}),
    });
  }
}

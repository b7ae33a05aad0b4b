import { randomUUID } from 'node:crypto';
import type { MessageBus, OutgoingMessage } from '@quant/bus';
import { DEFAULT_DEAD_LETTER_TOPIC, HEADER } from '@quant/bus';
import type { TopicDefinition } from '@quant/contracts';
import { Topics, deadLetterCodec, serdeFor } from '@quant/contracts';
import type { DataSource, RecordOrigin, SourceProblem } from '@quant/data-sources';
import type { BarCandidate, Rejection } from '@quant/ingestion';
import { BarValidator } from '@quant/ingestion';
import { TradingCalendar } from '@quant/market';
import { QuantError } from '@quant/errors';
import { IMPORT_RUN_HEADER } from './market-data.consumer';
import { toDailyBarEvent, toFundamentalEvent, toNewsEvent } from './market-events.mapper';
import type { MarketDataRepository } from './market-data.repository';

/** One rejected record: why, and where it came from. Written to `--rejects` and the dead-letter topic. */
export interface RejectRecord {
  reason: string;
  message: string;
  code: string | null;
  date: string | null;
  origin: RecordOrigin;
}

export interface ImportOptions {
  source: DataSource;
  bus: MessageBus;
  repository: MarketDataRepository;
  /** Keep only instruments that were ever members of this universe (point-in-time file of the source). */
  universe?: string;
  codes?: readonly string[];
  from?: string;
  to?: string;
  /** Republish days already stored (corrections); the store replaces them. Default false: incremental. */
  full?: boolean;
  onReject?: (reject: RejectRecord) => void;
  /** Events per publish call. */
  publishBatchSize?: number;
  /**
   * Called after each publish with the number of events published so far; resolves when the
   * consumer has caught up enough. Bounds the memory an in-process bus needs.
   */
  waitForCapacity?: (published: number) => Promise<void>;
  /** Market name of the calendar in the store. */
  market?: string;
  now?: () => number;
  /** Id stamped on every published message (header quant-import-run); random when absent. */
  runId?: string;
}

export interface ImportReport {
  runId: string;
  source: string;
  /** Instruments with at least one bar published by this run. */
  instruments: number;
  /** Bars published (valid, new). */
  bars: number;
  rejected: number;
  /** First and last day of the bars published; null when nothing new. */
  from: string | null;
  to: string | null;
  /** Bars skipped because the store already had that day (incremental import). */
  alreadyStored: number;
  notTraded: number;
  flagged: number;
  valuations: number;
  news: number;
  rejectedByReason: Record<string, number>;
  /** Events published in all (bars + valuations + news): what the store consumer must acknowledge. */
  published: number;
}

const DEFAULT_MARKET = 'CN';

/**
 * Reads a source, validates every record, and publishes the valid ones as Avro events (rejects go to
 * the dead-letter topic with their reason and origin). Storing is the consumer's job: this function
 * does not touch the data tables, only reference data (calendar, instruments, universes) and the
 * last stored day per instrument that makes the import incremental.
 */
export async function importMarketData(options: ImportOptions): Promise<ImportReport> {
  const { source, bus, repository } = options;
  const now = options.now ?? Date.now;
  const runId = options.runId ?? randomUUID();
  const market = options.market ?? DEFAULT_MARKET;
  const batchSize = options.publishBatchSize ?? 5_000;
  const report: ImportReport = {
    runId,
    source: source.name,
    instruments: 0,
    bars: 0,
    rejected: 0,
    from: null,
    to: null,
    alreadyStored: 0,
    notTraded: 0,
    flagged: 0,
    valuations: 0,
    news: 0,
    rejectedByReason: {},
    published: 0,
  };

  const deadLetters: OutgoingMessage[] = [];
  const reject = (r: RejectRecord, payload: unknown): void => {
    report.rejected += 1;
    report.rejectedByReason[r.reason] = (report.rejectedByReason[r.reason] ?? 0) + 1;
    options.onReject?.(r);
    deadLetters.push({
      key: r.code,
      value: deadLetterCodec.encode({
        sourceTopic: Topics.dailyBar.name,
        partition: null,
        offset: null,
        key: r.code,
        payload: Buffer.from(JSON.stringify(payload)),
        headers: { 'quant-origin': formatOrigin(r.origin) },
        errorCode: r.reason,
        reason: r.message,
        attempts: 0,
        consumerGroup: 'ingestion-validation',
        failedAt: now(),
      }),
    });
  };
  const problemReject = (p: SourceProblem): void =>
    reject({ reason: p.code, message: p.message, code: null, date: null, origin: p.origin }, { raw: p.raw ?? null });

  // Reference data: calendar, instruments, universe. The source's calendar wins; a source without one
  // (CSV) relies on what the store already knows.
  const sourceCalendar = await source.calendar();
  if (sourceCalendar.length > 0) await repository.saveCalendar(market, sourceCalendar, source.name);
  // A source without a calendar (CSV, news) may bring days after the last one the store knows:
  // weekdays up to `to` (default today) count as trading days there, and those that receive a bar are
  // added to the stored calendar. Holidays inside the known calendar still reject.
  const storedCalendar = sourceCalendar.length > 0 ? [] : await repository.calendar(market);
  const calendarDays =
    sourceCalendar.length > 0 ? sourceCalendar : storedCalendar.length > 0 ? extendWithWeekdays(storedCalendar, options.to ?? isoToday(now())) : [];
  const knownCalendarEnd = storedCalendar[storedCalendar.length - 1] ?? null;
  const newCalendarDays = new Set<string>();
  const sourceInstruments = await source.instruments();
  await repository.saveInstruments(sourceInstruments, source.name);
  const listings = new Map<string, { firstDate: string }>();
  for (const i of await repository.instruments()) listings.set(i.code, { firstDate: i.firstDate });
  for (const i of sourceInstruments) {
    const known = listings.get(i.code);
    if (!known || i.firstDate < known.firstDate) listings.set(i.code, { firstDate: i.firstDate });
  }

  let codes = options.codes ? new Set(options.codes) : null;
  if (options.universe) {
    if (!source.universe) {
      throw new QuantError('UNIVERSE_UNSUPPORTED', `source ${source.name} has no universe files; drop --universe or use a source that has them`);
    }
    const spells = await source.universe(options.universe, problemReject);
    if (spells.length === 0) {
      throw new QuantError('UNIVERSE_EMPTY', `universe "${options.universe}" has no members in source ${source.name}`);
    }
    await repository.saveUniverse(options.universe, spells, source.name);
    const members = new Set(spells.map((s) => s.code));
    codes = codes ? new Set([...codes].filter((c) => members.has(c))) : members;
  }

  const stored = options.full ? new Map<string, { lastDate: string; lastAdjustedClose: number | null }>() : await repository.lastBars();
  const storedValuations = options.full ? new Map<string, string>() : await repository.lastValuationDates();
  const lastAdjustedClose = new Map<string, number>();
  for (const [code, s] of stored) if (s.lastAdjustedClose !== null) lastAdjustedClose.set(code, s.lastAdjustedClose);
  const calendar = calendarDays.length > 0 ? new TradingCalendar(calendarDays) : null;
  const validator = calendar ? new BarValidator({ calendar, instruments: listings, lastAdjustedClose }) : null;
  if (!validator) {
    throw new QuantError('CALENDAR_MISSING', `source ${source.name} has no trading calendar and the store has none yet; import a source with a calendar first (e.g. --source qlib)`);
  }

  const codesSeen = new Set<string>();
  const pending = new Map<TopicDefinition<never>, OutgoingMessage[]>();
  // One headers object per topic: the event id travels in the payload (consumers dedup on it), so
  // per-message headers would only cost an object per bar.
  const headersByTopic = new Map<string, Record<string, string>>();
  const headers = (topic: string, fingerprint: string): Record<string, string> => {
    let h = headersByTopic.get(topic);
    if (!h) {
      h = { [HEADER.schema]: fingerprint, [IMPORT_RUN_HEADER]: runId };
      headersByTopic.set(topic, h);
    }
    return h;
  };
  const flush = async (force: boolean): Promise<void> => {
    for (const [topic, messages] of pending) {
      while (messages.length >= batchSize || (force && messages.length > 0)) {
        const chunk = messages.splice(0, batchSize);
        await bus.publish(topic.name, chunk);
        report.published += chunk.length;
        await options.waitForCapacity?.(report.published);
      }
    }
    if (deadLetters.length >= batchSize || (force && deadLetters.length > 0)) {
      await bus.publish(DEFAULT_DEAD_LETTER_TOPIC, deadLetters.splice(0, deadLetters.length));
    }
  };
  const enqueue = <T>(topic: TopicDefinition<T>, event: T & { eventId: string }): void => {
    const serde = serdeFor(topic);
    const list = pending.get(topic as TopicDefinition<never>) ?? [];
    pending.set(topic as TopicDefinition<never>, list);
    list.push({ key: topic.key(event), value: serde.encode(event), headers: headers(topic.name, serde.fingerprint) });
  };

  const ingestedAt = now();
  const readOptions = {
    ...(codes ? { codes: [...codes] } : {}),
    ...(options.from ? { from: options.from } : {}),
    ...(options.to ? { to: options.to } : {}),
  };
  for await (const batch of source.read(readOptions)) {
    for (const p of batch.problems) problemReject(p);

    const fresh: BarCandidate[] = [];
    const isST = new Map<string, boolean | null>();
    for (const bar of batch.bars) {
      if (!inRange(bar.code, bar.date, codes, options.from, options.to)) continue;
      isST.set(`${bar.code}|${bar.date}`, bar.isST ?? null);
      const last = stored.get(bar.code)?.lastDate;
      if (last !== undefined && bar.date <= last) {
        report.alreadyStored += 1;
        continue;
      }
      fresh.push(bar);
    }
    const { valid, rejected } = validator.validate(fresh);
    for (const r of rejected) reject(rejectRecord(r), fresh.find((b) => b.origin === r.origin) ?? null);
    for (const bar of valid) {
      enqueue(Topics.dailyBar, toDailyBarEvent(bar, source.name, ingestedAt));
      codesSeen.add(bar.code);
      report.bars += 1;
      if (!bar.traded) report.notTraded += 1;
      if (bar.flags.length > 0) report.flagged += 1;
      if (report.from === null || bar.date < report.from) report.from = bar.date;
      if (report.to === null || bar.date > report.to) report.to = bar.date;
      if (knownCalendarEnd !== null && bar.date > knownCalendarEnd) newCalendarDays.add(bar.date);
    }
    for (const v of batch.valuations) {
      if (!inRange(v.code, v.date, codes, options.from, options.to)) continue;
      const last = storedValuations.get(v.code);
      if (last !== undefined && v.date <= last) continue;
      enqueue(Topics.fundamental, toFundamentalEvent(v, source.name, ingestedAt, isST.get(`${v.code}|${v.date}`) ?? null));
      report.valuations += 1;
    }
    for (const item of batch.news) {
      if (!inRange(item.code, item.publishedDate, codes, options.from, options.to)) continue;
      enqueue(Topics.news, toNewsEvent(item, source.name, ingestedAt));
      report.news += 1;
    }
    await flush(false);
  }
  await flush(true);
  if (newCalendarDays.size > 0) await repository.saveCalendar(market, [...newCalendarDays].sort(), source.name);
  report.instruments = codesSeen.size;
  return report;
}

/** Weekdays after the last known day, up to `until` inclusive, appended to the known days. */
export function extendWithWeekdays(days: readonly string[], until: string): string[] {
  const out = [...days];
  const last = days[days.length - 1];
  if (last === undefined) return out;
  const t = new Date(`${last}T00:00:00Z`);
  for (;;) {
    t.setUTCDate(t.getUTCDate() + 1);
    const day = t.toISOString().slice(0, 10);
    if (day > until) break;
    const wd = t.getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(day);
  }
  return out;
}

function isoToday(epochMs: number): string {
  // Trading days are Shanghai days.
  return new Date(epochMs + 8 * 3_600_000).toISOString().slice(0, 10);
}

function inRange(code: string, date: string, codes: Set<string> | null, from?: string, to?: string): boolean {
  if (codes && !codes.has(code)) return false;
  if (from && date < from) return false;
  if (to && date > to) return false;
  return true;
}

function rejectRecord(r: Rejection): RejectRecord {
  return { reason: r.reason, message: r.message, code: r.code, date: r.date, origin: r.origin };
}

export function formatOrigin(o: RecordOrigin): string {
  if (o.line !== undefined) return `${o.location}:${o.line}`;
  if (o.offset !== undefined) return `${o.location}@${o.offset}`;
  return o.location;
}

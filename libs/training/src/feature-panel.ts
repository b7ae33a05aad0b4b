import { QuantError } from '@quant/errors';
import { computeLabel, createPanel } from '@quant/features';
import type { FeatureSet, LabelSpec, Panel } from '@quant/features';
import { sessionMembership } from '@quant/market';
import type { MembershipSpan } from '@quant/market';

/** What the panels read of the market data; `MarketDataRepository` of @quant/market-data fits it. */
export interface TrainingMarket {
  calendar(market: string): Promise<string[]>;
  universeOn(universe: string, date: string): Promise<string[]>;
  /** Optional: membership spans overlapping [from, to] in one read (else one universeOn per session). */
  universeSpans?(universe: string, from: string, to: string): Promise<MembershipSpan[]>;
  /** Stored bars of one instrument, ascending, both ends included (raw close x factor = adjusted close). */
  bars(code: string, from: string, to: string): Promise<Array<{ date: string; close: number; factor: number | null; traded: boolean }>>;
}

/**
 * Feature rows of a set over [from, to] for these codes, building what the store lacks (the CLI wires
 * FeatureRepository.read and buildFeatures behind it: a runtime lib may not import another one).
 */
export type FeatureLoader = (set: FeatureSet, codes: readonly string[], from: string, to: string) => Promise<Array<{ code: string; date: string; values: ArrayLike<number> }>>;

/** Column names of the sets side by side; `set:column` once there are several sets. */
export function panelFeatureNames(sets: readonly FeatureSet[]): string[] {
  const multi = sets.length > 1;
  return sets.flatMap((s) => s.definitions().map((d) => (multi ? `${s.name}:${d.name}` : d.name)));
}

/**
 * One panel over `sessions` x `codes` with the columns of every set, and which cells have a row of
 * every set (a day without a stored row of some set is not an example).
 */
export async function loadFeaturePanel(
  sets: readonly FeatureSet[],
  loader: FeatureLoader,
  codes: readonly string[],
  sessions: readonly string[],
  progress: (text: string) => void,
  readCells = 1.5e7,
): Promise<{ panel: Panel; present: Uint8Array }> {
  const names = panelFeatureNames(sets);
  const nC = codes.length;
  const nF = names.length;
  const panel = createPanel({ dates: sessions, codes, features: names });
  const present = new Uint8Array(sessions.length * nC).fill(1);
  const dateIndex = new Map(sessions.map((d, i) => [d, i]));
  const codeIndex = new Map(codes.map((c, i) => [c, i]));
  let column = 0;
  for (const set of sets) {
    progress(`reading ${set.name}@${set.version} for ${nC} instruments over ${sessions[0]}..${sessions.at(-1)}`);
    const width = set.definitions().length;
    const seen = new Uint8Array(sessions.length * nC);
    // Read in spans of sessions: the rows of a whole CSI300 x Alpha158 study at once overflow the JS heap.
    const span = Math.max(1, Math.floor(readCells / Math.max(1, nC * width)));
    for (let start = 0; start < sessions.length; start += span) {
      const last = Math.min(sessions.length, start + span) - 1;
      for (const row of await loader(set, codes, sessions[start] as string, sessions[last] as string)) {
        const d = dateIndex.get(row.date);
        const c = codeIndex.get(row.code);
        if (d === undefined || c === undefined) continue;
        if (row.values.length !== width) {
          throw new QuantError('FEATURES_CORRUPT', `feature row ${row.code} ${row.date} of ${set.name} has ${row.values.length} values, the set defines ${width}`, { details: { code: row.code, date: row.date } });
        }
        seen[d * nC + c] = 1;
        for (let j = 0; j < width; j++) panel.values[(d * nC + c) * nF + column + j] = row.values[j] as number;
      }
    }
    for (let i = 0; i < present.length; i++) if (seen[i] === 0) present[i] = 0;
    column += width;
  }
  return { panel, present };
}

/**
 * Labels per spec over the first `sessions` of `priceDates` ([session][code] flat arrays), from the
 * adjusted close (NaN on days without trading: never filled). `priceDates` extends past the last session
 * by the labels' lookahead where the calendar allows.
 */
export async function labelArrays(market: TrainingMarket, codes: readonly string[], priceDates: readonly string[], sessions: number, specs: readonly LabelSpec[]): Promise<Float64Array[]> {
  const nC = codes.length;
  const out = specs.map(() => new Float64Array(sessions * nC).fill(NaN));
  for (const [c, code] of codes.entries()) {
    const close = await adjustedCloses(market, code, priceDates);
    for (const [k, spec] of specs.entries()) {
      const series = computeLabel(close, spec);
      const target = out[k] as Float64Array;
      for (let d = 0; d < sessions; d++) target[d * nC + c] = series[d] as number;
    }
  }
  return out;
}

/** Adjusted close of one instrument on each of `dates` (NaN where it did not trade or has no bar). */
export async function adjustedCloses(market: TrainingMarket, code: string, dates: readonly string[]): Promise<Float64Array> {
  const index = new Map(dates.map((d, i) => [d, i]));
  const close = new Float64Array(dates.length).fill(NaN);
  if (dates.length === 0) return close;
  for (const bar of await market.bars(code, dates[0] as string, dates[dates.length - 1] as string)) {
    const i = index.get(bar.date);
    if (i !== undefined && bar.traded) close[i] = bar.close * (bar.factor ?? 1);
  }
  return close;
}

/** Point-in-time members per session (every listed code on every day without a universe), and their union. */
export async function sessionMembers(
  market: TrainingMarket,
  universe: string | undefined,
  listed: readonly string[] | undefined,
  sessions: readonly string[],
): Promise<{ codes: string[]; member: (d: number, code: string) => boolean }> {
  if (universe === undefined) {
    const codes = [...new Set(listed ?? [])].sort();
    return { codes, member: () => true };
  }
  let membership: Array<Set<string>>;
  if (market.universeSpans && sessions.length > 0) {
    membership = sessionMembership(await market.universeSpans(universe, sessions[0] as string, sessions[sessions.length - 1] as string), sessions);
  } else {
    membership = [];
    for (const day of sessions) membership.push(new Set(await market.universeOn(universe, day)));
  }
  const all = new Set<string>();
  for (const members of membership) for (const c of members) all.add(c);
  const codes = [...new Set(listed === undefined ? [...all] : listed.filter((c) => all.has(c)))].sort();
  return { codes, member: (d, code) => (membership[d] as Set<string>).has(code) };
}

/**
 * Blanks (NaN) every feature of the cells `keep` rejects, so cross-sectional processors see only that
 * day's members, as serving does: a stock that joins the index later must not shape today's
 * cross-section (nor a non-member the statistics a processor fits).
 */
export function maskCells(panel: Panel, keep: (d: number, c: number) => boolean): void {
  const nC = panel.codes.length;
  const nF = panel.features.length;
  for (let d = 0; d < panel.dates.length; d++) {
    for (let c = 0; c < nC; c++) if (!keep(d, c)) panel.values.fill(NaN, (d * nC + c) * nF, (d * nC + c + 1) * nF);
  }
}

/** Copies one panel cell row into a float32 matrix row, refusing infinities (NaN stays: missing). */
export function copyFeatureRow(panel: Panel, d: number, c: number, x: Float32Array, r: number): void {
  const nF = panel.features.length;
  const base = (d * panel.codes.length + c) * nF;
  for (let f = 0; f < nF; f++) {
    const v = panel.values[base + f] as number;
    if (v === Infinity || v === -Infinity) {
      throw new QuantError('FEATURE_NOT_FINITE', `feature ${panel.features[f]} of ${panel.codes[c]} on ${panel.dates[d]} is ${v}: fix the feature or add a processor`, {
        details: { feature: panel.features[f] as string, code: panel.codes[c] as string, date: panel.dates[d] as string },
      });
    }
    x[r * nF + f] = v;
  }
}

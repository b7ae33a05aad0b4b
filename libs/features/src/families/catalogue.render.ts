import type { FeatureDefinition } from '../feature.port';

/** A named group of definitions, one block of rows in the catalogue table. */
export interface CatalogueSection {
  set: string;
  definitions: readonly FeatureDefinition[];
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const PREAMBLE = `# Feature catalogue

Generated from the definitions by \`UPDATE_CATALOGUE=1 npx vitest run libs/features/test/families/catalogue.spec.ts\`;
the same test fails when a definition and its line here disagree. Do not edit the table by hand.

Conventions (details in each calculator's header comment):
- Inputs are one instrument's sessions on the trading calendar; prices are adjusted. A session where the
  stock did not trade is a NaN row; window statistics skip NaN values (pandas rolling, min_periods=1).
  Technical and market columns are NaN on such a session.
- Warm-up: sessions of history after which a stream started mid-history gives exactly the full-history
  value. Recursive columns (EMA, Wilder smoothing, KDJ) re-run their recursion over the last k inputs,
  k being where the starting state keeps less than 1e-6 of the weight ((1-alpha)^k < 1e-6), so they
  are exact functions of a finite window and differ from the untruncated recursion by at most that
  weight. Seeds are deterministic (first finite value of the window; KDJ's K and D start at 50).
- Fundamental columns worth a cross-sectional rank in processing: \`FUNDAMENTAL_RANK_COLUMNS\`
  (EP, BP, SP, CFP, their 20/60-day changes, TURN, TURN_MA20, TURN_R1_20).
- Market optional inputs (absent: NaN columns): \`valuation.turnover\`, \`isst\`, \`limit.up\`/\`limit.down\`,
  \`market.advancers_ratio\`, \`market.limit_up_count\`, \`market.limit_down_count\` (\`marketBreadth(universe)\`
  builds the last three).
- Temporal forward-looking columns use only the exchange calendar published on the day (through Dec 31,
  from Dec 15 through Dec 31 of the next year) and need the calendar (\`createFamilySets({ temporal: { calendar } })\`).
- Sentiment inputs come from \`dailySentiment(items, calendar)\`: an item counts from the first session strictly
  after its publication day.
`;

export function renderCatalogue(sections: readonly CatalogueSection[]): string {
  const lines = [PREAMBLE, '| set | name | family | formula | inputs | warm-up |', '| --- | --- | --- | --- | --- | --- |'];
  for (const s of sections) {
    for (const d of s.definitions) {
      lines.push(`| ${s.set} | ${d.name} | ${d.family} | ${cell(d.formula)} | ${cell(d.inputs.join(', '))} | ${d.warmup} |`);
    }
  }
  const counts = sections.map((s) => `${s.set} ${s.definitions.length}`).join(', ');
  lines.push('', `Columns: ${counts}.`, '');
  return lines.join('\n');
}

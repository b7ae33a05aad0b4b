import { readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ALPHA158_DEFINITIONS, ALPHA360_DEFINITIONS } from '../../src/alpha';
import { FUNDAMENTAL_DEFINITIONS, MARKET_DEFINITIONS, SENTIMENT_DEFINITIONS, TECHNICAL_DEFINITIONS, TEMPORAL_DEFINITIONS } from '../../src/families';
import { renderCatalogue } from '../../src/families/catalogue.render';

const FILE = new URL('../../CATALOGUE.md', import.meta.url);

const expected = renderCatalogue([
  { set: 'alpha158', definitions: ALPHA158_DEFINITIONS },
  { set: 'alpha360', definitions: ALPHA360_DEFINITIONS },
  { set: 'technical', definitions: TECHNICAL_DEFINITIONS },
  { set: 'fundamental', definitions: FUNDAMENTAL_DEFINITIONS },
  { set: 'market', definitions: MARKET_DEFINITIONS },
  { set: 'temporal', definitions: TEMPORAL_DEFINITIONS },
  { set: 'sentiment', definitions: SENTIMENT_DEFINITIONS },
]);

it('CATALOGUE.md lists every column of every set as defined in the code', () => {
  if (process.env['UPDATE_CATALOGUE'] === '1') writeFileSync(FILE, expected);
  const actual = readFileSync(FILE, 'utf8');
  expect(actual, 'CATALOGUE.md is out of step: run UPDATE_CATALOGUE=1 npx vitest run libs/features/test/families/catalogue.spec.ts').toBe(expected);
});

it('family column names are distinct from each other and from Alpha158', () => {
  const all = [ALPHA158_DEFINITIONS, TECHNICAL_DEFINITIONS, FUNDAMENTAL_DEFINITIONS, MARKET_DEFINITIONS, TEMPORAL_DEFINITIONS, SENTIMENT_DEFINITIONS].flat().map((d) => d.name);
  expect(all.filter((n, i) => all.indexOf(n) !== i)).toEqual([]);
  expect(TECHNICAL_DEFINITIONS.length).toBeGreaterThanOrEqual(100);
  expect(MARKET_DEFINITIONS.length).toBeGreaterThanOrEqual(30);
  expect(TEMPORAL_DEFINITIONS.length).toBeGreaterThanOrEqual(20);
});

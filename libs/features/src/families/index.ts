import type { FeatureSet } from '../feature.port';
import { createFundamentalCalculator } from './fundamental.calculator';
import { createMarketCalculator } from './market.calculator';
import { createSentimentCalculator } from './sentiment.calculator';
import { familySet } from './step-calculator';
import { createTechnicalCalculator } from './technical.calculator';
import type { TemporalOptions } from './temporal.calculator';
import { createTemporalCalculator } from './temporal.calculator';

export { createTechnicalCalculator, TECHNICAL_DEFINITIONS } from './technical.calculator';
export { createFundamentalCalculator, FUNDAMENTAL_DEFINITIONS, FUNDAMENTAL_RANK_COLUMNS } from './fundamental.calculator';
export { createMarketCalculator, MARKET_DEFINITIONS, marketBreadth, LIMIT_TOLERANCE } from './market.calculator';
export { createTemporalCalculator, TEMPORAL_DEFINITIONS, defaultPublishedThrough, HOLIDAY_GAP_DAYS } from './temporal.calculator';
export type { TemporalOptions } from './temporal.calculator';
export { createSentimentCalculator, SENTIMENT_DEFINITIONS } from './sentiment.calculator';
export {
  loadSentimentLexicon,
  createSentimentLexicon,
  scoreText,
  scoreNews,
  dailySentiment,
  DEFAULT_LEXICON_FILES,
} from './sentiment-lexicon';
export type { SentimentLexicon, SentimentItem, TextSentiment } from './sentiment-lexicon';
export { stepCalculator, familySet, definitionsHash } from './step-calculator';
export type { CodedFeatureCalculator, StepModel, StepCalculatorSpec } from './step-calculator';
export { RECURSIVE_TOLERANCE, recursiveWarmup } from './window.util';

export interface FamilyOptions {
  /** Exchange calendar for the temporal family's forward-looking columns (see temporal.calculator.ts). */
  temporal?: TemporalOptions;
}

/** The family sets: technical, fundamental, market, temporal, sentiment and all-families. */
export function createFamilySets(options: FamilyOptions = {}): Record<string, FeatureSet> {
  const technical = createTechnicalCalculator();
  const fundamental = createFundamentalCalculator();
  const market = createMarketCalculator();
  const temporal = createTemporalCalculator(options.temporal);
  const sentiment = createSentimentCalculator();
  return {
    technical: familySet('technical', [technical]),
    fundamental: familySet('fundamental', [fundamental]),
    market: familySet('market', [market]),
    temporal: familySet('temporal', [temporal]),
    sentiment: familySet('sentiment', [sentiment]),
    'all-families': familySet('all-families', [technical, fundamental, market, temporal, sentiment]),
  };
}

/** Default sets; the temporal one has no calendar (forward-looking columns NaN): use createFamilySets. */
export const FAMILY_SETS: Record<string, FeatureSet> = createFamilySets();

import { z } from 'zod';

const SET_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Variables of the features service, validated at boot with the runtime's (see README). */
export const featuresEnv = {
  /** Comma-separated feature sets computed for every bar. */
  QUANT_FEATURE_SETS: z
    .string()
    .default('alpha158')
    .transform((value) => [...new Set(value.split(',').map((s) => s.trim()).filter((s) => s !== ''))])
    .refine((names) => names.length > 0 && names.every((n) => SET_NAME.test(n)), {
      error: 'a comma-separated list of feature set names (lower-case letters, digits, "-"), e.g. alpha158,alpha360',
    }),
  /** When set, a day is complete once every member of this universe on that day has its row. */
  QUANT_FEATURES_UNIVERSE: z.string().trim().min(1).optional(),
  /** Quiet period after the last new row of a day before publishing features-ready for it anyway. */
  QUANT_FEATURES_READY_QUIET_MS: z
    .string()
    .default('3000')
    .pipe(z.string().regex(/^\d+$/, { error: 'milliseconds, an integer from 0 to 3600000' }))
    .transform(Number)
    .refine((n) => n <= 3_600_000, { error: 'milliseconds, an integer from 0 to 3600000' }),
};

export type FeaturesEnv = typeof featuresEnv;

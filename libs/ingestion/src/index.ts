export { BarValidator } from './bar-validator';
export type {
  BarCandidate,
  ValidBar,
  Rejection,
  RejectReason,
  BarValidationResult,
  BarValidatorOptions,
  InstrumentListing,
  Origin,
} from './bar-validator';

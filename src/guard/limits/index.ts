export { enforceLimits } from './enforce.js';
export { createLimitLedger, entryLimitArgs, LIMIT_ARGS_META, RAN_RESULTS } from './ledger.js';
export type { LimitArgs, LimitBreach, LimitLedger, LimitReservation, LimitUsage } from './ledger.js';
export { LimitExceededError } from './errors.js';

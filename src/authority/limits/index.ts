export { MAX_LIMITS, limitsField } from './limits-field.js';
export { limitsText, storedLimits } from './stored-limits.js';
export { bundleLimitUsage, replayLedger } from './limit-usage.js';
export { describeLimit } from './describe-limit.js';

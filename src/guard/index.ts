export { createAgentGuard } from './guard.js';
export { readGrantIdentity } from './identity.js';
export type { AgentGuard, AgentGuardOptions, GuardAuditLog, GuardBundle, LimitEnforcer, LimitUse, RunOptions } from './types.js';
export { createLimitLedger, enforceLimits, LIMIT_ARGS_META, LimitExceededError } from './limits/index.js';
export type { LimitArgs, LimitBreach, LimitLedger, LimitReservation, LimitUsage } from './limits/index.js';

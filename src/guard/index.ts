export { createAgentGuard } from './guard.js';
export { readGrantIdentity } from './identity.js';
export type { AgentGuard, AgentGuardOptions, GuardAuditLog, GuardBundle, RunOptions } from './types.js';

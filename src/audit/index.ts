export { GENESIS_HASH, computeEntryHash, entryHashInput } from './hash.js';
export { signEntryHash, verifyEntrySignature } from './signature.js';
export { verifyChain } from './verify-chain.js';
export type { ChainVerification, VerifyChainOptions } from './verify-chain.js';
export type { AuditEntry, AuditResult, HashableEntry, SignedAuditEntry } from './types.js';
export { createOfflineAuditLog } from './log.js';
export type { OfflineAuditLog, OfflineAuditLogOptions } from './log.js';
export type { AuditSigningKey } from './signing-key.js';
export type { OfflineAuditLogAtPathOptions } from './log-at-path.js';

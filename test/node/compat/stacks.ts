// The two stacks side by side: upstream's @grantex/gemma 0.1.1 and this package as an upstream
// user gets it after changing the import ('offline-consent', the built package), each with its
// own verifier and its own file log, over the same real-time token.
import * as upstream from '@grantex/gemma';
import * as ours from 'offline-consent';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vectors from '../../vectors/interop-vectors.json';
import { grantClaims, signToken, snapshot } from '../../helpers/tokens.js';

export { upstream, ours };

/** A grant token valid now by the wall clock (upstream's verifier has no clock option). */
export async function liveToken(overrides: Record<string, unknown> = {}) {
  const nowS = Math.floor(Date.now() / 1000);
  return signToken(grantClaims({ iat: nowS - 60, exp: nowS + 3600, ...overrides }));
}

/** A snapshot valid by the wall clock. */
export const liveSnapshot = () => snapshot({ fetchedAt: new Date(Date.now() - 60_000).toISOString(), validUntil: new Date(Date.now() + 86_400_000).toISOString() });

type Stack = 'upstream' | 'ours';

/** One stack's verifier and file log in a fresh folder; `close` releases our log's lock and removes the folder. */
export function openStack(stack: Stack) {
  const dir = mkdtempSync(join(tmpdir(), `oc-compat-${stack}-`));
  const logPath = join(dir, 'audit.jsonl');
  const lib = stack === 'upstream' ? upstream : ours;
  const verifier = lib.createOfflineVerifier({ jwksSnapshot: liveSnapshot() });
  const auditLog = lib.createOfflineAuditLog({ signingKey: vectors.auditKey, logPath });
  return {
    lib,
    verifier,
    auditLog,
    logPath,
    close: async () => {
      await (auditLog as { close?: () => Promise<void> }).close?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a caller sees from one call: the value, or the error's class name, code and message. */
export async function outcome(call: () => unknown): Promise<unknown> {
  try {
    return { value: await call() };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { error: { code: e.code ?? null, message: e.message } };
  }
}

import type { Bytes } from './bytes.js';
import { toHex } from './hex.js';

const P = 2n ** 255n - 19n;

/**
 * Whether a 32-byte Ed25519 public key encodes a point of small order (either sign bit, and
 * the non-canonical y = P and P + 1). Such a key proves nothing: one signature verifies under
 * it for many messages, and WebKit's Web Crypto crashes the page verifying under two of them.
 * RFC 8032 allows these keys; we refuse them, as libsodium does.
 *
 * The eight points have y = 1 (order 1), P - 1 (order 2), 0 (order 4), and, for order 8, the
 * two roots of y(2Q) = 0: with x² = -y² in -x² + y² = 1 + d·x²·y² and d = -121665/121666,
 * that is 121665·y⁴ - 243332·y² + 121666 ≡ 0 (mod P).
 */
export function isSmallOrderKey(raw: Bytes): boolean {
  const y = (BigInt(`0x${toHex(raw.slice().reverse())}`) & (2n ** 255n - 1n)) % P;
  const z = (y * y) % P;
  return y < 2n || y === P - 1n || (121665n * z * z - 243332n * z + 121666n) % P === 0n;
}

/** Who a verified device proof speaks for: one bundle, and the key version that signed the proof. */
export interface DeviceCaller {
  bundleId: string;
  developerId: string;
  keyVersion: number;
  head: { seq: number; hash: string } | null;
}

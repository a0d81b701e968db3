export { createDeviceProof, DEVICE_PROOF_HEADER, type DeviceCredential, type DeviceProofOptions, type ProofHead } from './proof.js';
export { redeemEnrollment, type RedeemEnrollmentOptions } from './redeem.js';
export { revocationStatus, type DeviceCallOptions, type RevocationStatus } from './revocation-status.js';
export { revokeOwnBundle } from './revoke-own.js';

// Internal barrel for the Web Crypto helpers; the public API re-exports a chosen few.
export * from './bytes.js';
export * from './subtle.js';
export * from './utf8.js';
export * from './hex.js';
export * from './base64.js';
export * from './pem.js';
export * from './sha256.js';
export * from './ed25519.js';
export * from './aes-gcm.js';
export * from './pbkdf2.js';

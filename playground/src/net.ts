// The Offline switch. All of the device's network calls (consent, redeem, sync, refresh,
// revocation status) go through `deviceFetch`; switched off, it fails exactly as a dropped
// network does (a TypeError from fetch), so the library's own offline handling is what runs.
type Listener = (online: boolean) => void;

let online = true;
const listeners = new Set<Listener>();

export function isOnline(): boolean {
  return online;
}

export function setOnline(value: boolean): void {
  online = value;
  for (const l of listeners) l(online);
}

export function onNetworkChange(listener: Listener): void {
  listeners.add(listener);
}

export const deviceFetch: typeof fetch = (input, init) =>
  online ? fetch(input, init) : Promise.reject(new TypeError('Failed to fetch: the playground is offline'));

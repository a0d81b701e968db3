// The Offline switch. All of the device's network calls (consent, redeem, sync, refresh,
// revocation status) go through `deviceFetch`; switched off, it fails exactly as a dropped
// network does (a TypeError from fetch), so the library's own offline handling is what runs.
type Listener = (online: boolean) => void;

let online = true;
const listeners = new Set<Listener>();

/** Whether the page's Online switch is on (device calls go out). */
export function isOnline(): boolean {
  return online;
}

/** Turns the Online switch on or off and tells every listener. */
export function setOnline(value: boolean): void {
  online = value;
  for (const l of listeners) l(online);
}

/** Calls `listener` each time the Online switch changes. */
export function onNetworkChange(listener: Listener): void {
  listeners.add(listener);
}

/** `fetch` while the switch is on; off, it fails as a dropped network does. */
export const deviceFetch: typeof fetch = (input, init) =>
  online ? fetch(input, init) : Promise.reject(new TypeError('Failed to fetch: the playground is offline'));

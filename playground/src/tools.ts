// The demo's tools: each names the scope it needs, and acts on a small simulated home.
import type { ToolSpec } from './engine/types.js';

export interface DemoTool extends ToolSpec {
  /** The grant scope the guard requires before the tool runs. */
  scope: string;
  run(args: Record<string, unknown>): unknown;
}

export const SCOPES: ReadonlyArray<{ scope: string; label: string }> = [
  { scope: 'sensor:read', label: 'Read room sensors' },
  { scope: 'thermostat:write', label: 'Change the thermostat' },
  { scope: 'calendar:read', label: 'Read your calendar' },
  { scope: 'email:send', label: 'Send email as you' },
];

/** The simulated home's rooms. */
export const ROOMS = ['kitchen', 'living room', 'bedroom', 'office'];

function room(args: Record<string, unknown>): string {
  const r = typeof args.room === 'string' ? args.room.toLowerCase().trim() : 'living room';
  if (!ROOMS.includes(r)) throw new Error(`unknown room "${r}" (rooms: ${ROOMS.join(', ')})`);
  return r;
}

/** A fresh simulated home: thermostat set points and an outbox live as long as the page. */
export function createDemoTools(): DemoTool[] {
  const setPoints = new Map(ROOMS.map((r) => [r, 20]));
  const outbox: Array<{ to: string; subject: string }> = [];
  return [
    {
      name: 'sensor.read',
      scope: 'sensor:read',
      description: 'Reads the temperature (°C) and humidity (%) of a room.',
      parameters: { type: 'object', properties: { room: { type: 'string', enum: ROOMS } }, required: ['room'] },
      run: (args) => {
        const r = room(args);
        const drift = ROOMS.indexOf(r) * 0.7;
        return { room: r, celsius: Math.round((setPoints.get(r)! + 0.6 - drift) * 10) / 10, humidity: 41 + ROOMS.indexOf(r) * 3 };
      },
    },
    {
      name: 'thermostat.set',
      scope: 'thermostat:write',
      description: 'Sets the thermostat of a room to a temperature in °C (10 to 28).',
      parameters: { type: 'object', properties: { room: { type: 'string', enum: ROOMS }, celsius: { type: 'number', minimum: 10, maximum: 28 } }, required: ['room', 'celsius'] },
      run: (args) => {
        const r = room(args);
        const c = Number(args.celsius);
        if (!Number.isFinite(c) || c < 10 || c > 28) throw new Error('celsius must be a number from 10 to 28');
        setPoints.set(r, c);
        return { room: r, celsius: c };
      },
    },
    {
      name: 'calendar.read',
      scope: 'calendar:read',
      description: "Lists the user's calendar events for a day ('today' or 'tomorrow').",
      parameters: { type: 'object', properties: { day: { type: 'string', enum: ['today', 'tomorrow'] } }, required: ['day'] },
      run: (args) => {
        const day = args.day === 'tomorrow' ? 'tomorrow' : 'today';
        const events = day === 'today'
          ? [{ time: '09:30', title: 'Stand-up' }, { time: '14:00', title: 'Dentist' }]
          : [{ time: '11:00', title: 'Lunch with Sam' }];
        return { day, events };
      },
    },
    {
      name: 'email.send',
      scope: 'email:send',
      description: 'Sends an email from the user to one address.',
      parameters: { type: 'object', properties: { to: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' } }, required: ['to', 'subject', 'body'] },
      run: (args) => {
        const to = String(args.to ?? '');
        if (!/^[^@\s]+@[^@\s]+$/.test(to)) throw new Error(`"${to}" is not an email address`);
        outbox.push({ to, subject: String(args.subject ?? '') });
        return { sent: true, to, queued: outbox.length };
      },
    },
  ];
}

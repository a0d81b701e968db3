// Merges one benchmark's rows into bench/results.json (with the machine it ran on).
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

const FILE = new URL('./results.json', import.meta.url);

export function saveResults(name, rows) {
  let all = {};
  try {
    all = JSON.parse(readFileSync(FILE, 'utf8'));
  } catch {}
  all[name] = { at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, rows };
  writeFileSync(FILE, `${JSON.stringify(all, null, 2)}\n`);
}

// Child for the crash test: stores bundles in a loop (built package), printing each stored generation.
import { storeBundle } from '../../../dist/node.js';

const [path, key, bundleJson, start] = process.argv.slice(2);
const bundle = JSON.parse(bundleJson);
for (let generation = Number(start); ; generation++) {
  await storeBundle({ ...bundle, checkpointAt: generation }, path, key);
  process.stdout.write(`${generation}\n`);
}

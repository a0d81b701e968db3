// Global setup of the node project: builds the playground page once per run, so the
// playground test files (run in parallel) never race each other's rollup output.
import { buildPlayground } from './page.js';

export default function setup(): void {
  buildPlayground();
}

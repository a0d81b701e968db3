// Runs the built authority in its own process, so a test can SIGKILL it mid-sync.
// argv: JSON options for startAuthority. Prints one line: {"url": ...} when listening.
import { startAuthority } from '../../../dist/authority.js';

const options = JSON.parse(process.argv[2]);
const server = await startAuthority(options);
process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port })}\n`);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));

/**
 * `npm run viewer`: builds the client if its bundle is missing or stale, serves the runs
 * folder, and prints the URL.
 *
 *   npm run viewer -- [--runs runs] [--port 8765] [--host 127.0.0.1] [--no-build]
 */
import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_CLIENT_DIST, ensureClientBuilt } from './build';
import { isLoopbackHost, startViewer } from './app';

function parsePort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new InvalidArgumentError(
      `expected an integer in [0, 65535] (0 = any free port); received ${JSON.stringify(value)}.`,
    );
  }
  return port;
}

async function main(): Promise<void> {
  const program = new Command('viewer')
    .description('Watch tsgym runs: learning curves and episode replays in the browser.')
    .option('--runs <dir>', 'runs folder to serve', 'runs')
    .option('--port <n>', 'TCP port (0 = any free port)', parsePort, 8765)
    .option(
      '--host <host>',
      'interface to bind; anything but loopback exposes your runs',
      '127.0.0.1',
    )
    .option('--no-build', 'serve the existing bundle without checking it is up to date')
    .parse();
  const opts = program.opts<{ runs: string; port: number; host: string; build: boolean }>();
  const runsDir = path.resolve(opts.runs);

  if (opts.build && (await ensureClientBuilt(DEFAULT_CLIENT_DIST))) {
    console.log(
      `viewer: built the client into ${path.relative(process.cwd(), DEFAULT_CLIENT_DIST)}`,
    );
  }
  if (!isLoopbackHost(opts.host)) {
    console.warn(
      `viewer: WARNING: binding to ${opts.host}, not loopback: anyone who can reach this machine ` +
        'can read your runs. Use --host 127.0.0.1 unless you mean it.',
    );
  }
  const viewer = await startViewer({
    runsDir,
    clientDir: DEFAULT_CLIENT_DIST,
    host: opts.host,
    port: opts.port,
  });
  console.log(`viewer: serving ${runsDir}`);
  console.log(`viewer: open ${viewer.url}`);
  const stop = () => void viewer.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`viewer: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

import * as fs from 'node:fs';
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { CorruptFileError, InvalidConfigError } from '../../src/index';
import { actionStatsBefore, EpisodeIndexCache, readStepsJson } from './episodeIndex';
import { emptyMetrics, MetricsReader } from './metrics';
import { listEpisodes, readRunJson, RunLister } from './runs';
import { NotFoundError, resolveInside } from './safePath';

/** Options of {@link createViewerApp}. */
export interface ViewerAppOptions {
  /** The runs folder (it may not exist yet; runs appear as they are written). */
  runsDir: string;
  /** Folder of the built client (index.html and assets); null or absent serves the API only. */
  clientDir?: string | null;
}

/** A bad query parameter: HTTP 400. */
class BadRequestError extends Error {}

/** Most steps one page request returns. */
export const MAX_PAGE_STEPS = 5000;
/** Most bytes of step lines one page request returns; `count` is cut to fit. */
export const MAX_PAGE_BYTES = 8 << 20;

function intParam(req: Request, name: string, fallback: number, min: number, max: number): number {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new BadRequestError(
      `query parameter '${name}' must be an integer in [${min}, ${max}]; received ${JSON.stringify(raw)}.`,
    );
  }
  return value;
}

type Handler = (req: Request, res: Response) => Promise<void>;

/** The JSON API over a runs folder (see the route comments for what each answers). */
function apiRouter(runsDir: string): express.Router {
  const router = express.Router();
  const metrics = new MetricsReader();
  const episodes = new EpisodeIndexCache();
  const runLister = new RunLister(runsDir);
  const get = (route: string, handler: Handler) => router.get(route, handler);
  const param = (req: Request, name: string) => String(req.params[name]);
  const episodeIndex = async (req: Request) => {
    const run = param(req, 'run');
    const file = param(req, 'file');
    const real = await resolveInside(runsDir, [run, 'episodes', file]);
    return { real, index: await episodes.get(real, `${run}/episodes/${file}`) };
  };

  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  // The run list, from disk: a new run appears at once, a status change within a second.
  get('/runs', async (_req, res) => {
    res.json({ runs: await runLister.list() });
  });

  // run.json of one run.
  get('/runs/:run', async (req, res) => {
    res.json(await readRunJson(runsDir, param(req, 'run')));
  });

  // metrics.jsonl in columns; a missing file is an empty table (the run has not logged yet),
  // while one that exists but leads outside the runs folder is refused like any other.
  get('/runs/:run/metrics', async (req, res) => {
    const maxPoints = intParam(req, 'maxPoints', 4000, 1, 1_000_000);
    const runDir = await resolveInside(runsDir, [param(req, 'run')]);
    const exists = await fs.promises.lstat(path.join(runDir, 'metrics.jsonl')).then(
      () => true,
      () => false,
    );
    if (!exists) {
      res.json(emptyMetrics());
      return;
    }
    const file = await resolveInside(runsDir, [param(req, 'run'), 'metrics.jsonl']);
    res.json(await metrics.read(file, maxPoints));
  });

  // The finished episode files of a run.
  get('/runs/:run/episodes', async (req, res) => {
    res.json({ episodes: await listEpisodes(runsDir, param(req, 'run')) });
  });

  // Header, footer and length of one episode (422 with the reason when the file is damaged).
  get('/runs/:run/episodes/:file', async (req, res) => {
    const { index } = await episodeIndex(req);
    const lineBytes =
      index.length > 0 ? (index.stepStarts[index.length] - index.stepStarts[0]) / index.length : 0;
    res.json({
      file: param(req, 'file'),
      size: index.size,
      length: index.length,
      header: index.header,
      footer: index.footer,
      averageLineBytes: Math.ceil(lineBytes),
      integerActions: index.actions !== null,
    });
  });

  // A page of step lines, with the return and per-action tallies before it.
  get('/runs/:run/episodes/:file/steps', async (req, res) => {
    const { real, index } = await episodeIndex(req);
    const from = intParam(req, 'from', 0, 0, index.length);
    let count = Math.min(intParam(req, 'count', 500, 0, MAX_PAGE_STEPS), index.length - from);
    while (count > 1 && index.stepStarts[from + count] - index.stepStarts[from] > MAX_PAGE_BYTES) {
      count = Math.ceil(count / 2);
    }
    const steps = await readStepsJson(real, index, from, count);
    const head = {
      from,
      count,
      returnBefore: index.rewardPrefix[from],
      actionStats: actionStatsBefore(index, from),
    };
    const prefix = Buffer.from(`${JSON.stringify(head).slice(0, -1)},"steps":`);
    res.type('application/json').send(Buffer.concat([prefix, steps, Buffer.from('}')]));
  });

  // The episode file as is, streamed (for download or other tools).
  get('/runs/:run/episodes/:file/raw', async (req, res) => {
    const real = await resolveInside(runsDir, [param(req, 'run'), 'episodes', param(req, 'file')]);
    res.type('application/x-ndjson');
    await new Promise<void>((resolve, reject) => {
      const stream = fs.createReadStream(real);
      stream.on('error', reject);
      res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
  });

  router.use((_req, _res, next) => next(new NotFoundError('no such API route')));
  return router;
}

/** Refuses request paths that try to climb out (`..`, also when percent-encoded), with 404. */
function refuseTraversal(req: Request, res: Response, next: NextFunction): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(req.path);
  } catch {
    res.status(404).json({ error: 'not found' });
    return;
  }
  const segments = decoded.split(/[/\\]/);
  if (segments.includes('..') || decoded.includes('\0')) {
    res.status(404).json({ error: 'not found' });
    return;
  }
  next();
}

function errorHandler(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof NotFoundError) res.status(404).json({ error: message });
  else if (error instanceof CorruptFileError) res.status(422).json({ error: message });
  else if (error instanceof BadRequestError) res.status(400).json({ error: message });
  else if ((error as { status?: number }).status === 404)
    res.status(404).json({ error: 'not found' });
  else res.status(500).json({ error: `internal error: ${message}` });
}

/**
 * The viewer's Express app: the JSON API under `/api` and the built client at `/`. It only
 * reads inside `runsDir`; any path that would leave it answers 404.
 */
export function createViewerApp(options: ViewerAppOptions): express.Express {
  const app = express();
  const runsDir = path.resolve(options.runsDir);
  app.disable('x-powered-by');
  // No ETags: API answers are no-store, and hashing every page of steps made the request mix
  // of bench/viewer.ts 1.5x slower (329 vs 481 requests/s on a loaded 2-core machine).
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.use(refuseTraversal);
  app.use('/api', apiRouter(runsDir));
  const clientDir = options.clientDir ? path.resolve(options.clientDir) : null;
  if (clientDir && fs.existsSync(path.join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { dotfiles: 'ignore', index: 'index.html' }));
  } else {
    app.get('/', (_req, res) => {
      res
        .status(503)
        .type('text/plain')
        .send('The viewer client is not built. Run `npm run viewer`, which builds it.\n');
    });
  }
  app.use((_req, _res, next) => next(new NotFoundError('not found')));
  app.use(errorHandler);
  return app;
}

/** Options of {@link startViewer}. */
export interface StartViewerOptions extends ViewerAppOptions {
  /**
   * Interface to bind. Anything but loopback exposes the runs to the network.
   *
   * @defaultValue '127.0.0.1'
   */
  host?: string;
  /**
   * TCP port; 0 picks a free one (see the returned `url`).
   *
   * @defaultValue 0
   */
  port?: number;
}

/** A running viewer server. */
export interface RunningViewer {
  /** Where to point the browser, e.g. `http://127.0.0.1:8765/`. */
  url: string;
  /** The port bound. */
  port: number;
  /** The Node HTTP server. */
  server: http.Server;
  /** Stops accepting connections and closes open ones. */
  close: () => Promise<void>;
}

/** True for loopback interfaces (the only ones bound without a warning). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Starts the viewer server.
 *
 * @throws InvalidConfigError when the port is taken or the host cannot be bound.
 * @example
 * ```ts
 * const viewer = await startViewer({ runsDir: 'runs', clientDir: 'viewer/client/dist' });
 * console.log(viewer.url);
 * ```
 */
export async function startViewer(options: StartViewerOptions): Promise<RunningViewer> {
  const host = options.host ?? '127.0.0.1';
  const app = createViewerApp(options);
  const server = await new Promise<http.Server>((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, (error?: Error) =>
      error ? reject(error) : resolve(s),
    );
  }).catch((error: NodeJS.ErrnoException) => {
    throw new InvalidConfigError(
      `viewer: cannot listen on ${host}:${options.port ?? 0} (${error.code ?? error.message}). ` +
        'Pick another port with --port <n> (0 picks a free one) or another --host.',
      { cause: error },
    );
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });

  return { url: `http://${shownHost}:${port}/`, port, server, close };
}

import { contentArea, describeStep, statusShapes, titleShapes } from './common';
import { formatNumber } from './geometry';
import { PALETTE } from './palette';
import { frameAt, isRecord, type ReplayInput } from './replay';
import type { Color, Probe, Scene, Shape } from './types';

/**
 * What the marketing renderer reads from a frame. The marketing env (issue #3) owns its frame,
 * so this reader is tolerant: per-customer values may come as parallel arrays (`actions`,
 * `purchased`, `unsubscribed`, `states`, ...) or as a `customers` array of objects, and any
 * top-level number is shown as a counter.
 */
export interface MarketingView {
  /** Number of customers. */
  n: number;
  /** Per customer: 0 no e-mail, 1 e-mail, 2 e-mail with coupon; null when unknown. */
  actions: (number | null)[];
  /** Per customer: bought this step. */
  purchased: boolean[];
  /** Per customer: unsubscribed (can no longer be mailed). */
  unsubscribed: boolean[];
  /** Per customer: a free-form state label, when the frame has one. */
  states: (string | null)[];
  /** Named counters: e-mails sent, purchases, profit, week... */
  counters: { name: string; value: number }[];
}

/** Largest number of customer cells drawn; larger populations show their first customers. */
export const MAX_CUSTOMER_CELLS = 4096;

const ACTION_KEYS = ['actions', 'lastActions', 'action', 'lastAction', 'mailed', 'emailed'];
const PURCHASE_KEYS = ['purchased', 'bought', 'purchases', 'converted'];
const UNSUBSCRIBE_KEYS = ['unsubscribed', 'optedOut'];
const STATE_KEYS = ['states', 'state', 'status', 'segments', 'segment'];

function pick(source: Record<string, unknown>, keys: string[]): unknown {
  for (const key of keys) if (source[key] !== undefined) return source[key];
  return undefined;
}

function toAction(v: unknown): number | null {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function toFlag(v: unknown): boolean {
  return v === true || (typeof v === 'number' && v > 0);
}

function toLabel(v: unknown): string | null {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}

const PER_CUSTOMER_KEYS = [...ACTION_KEYS, ...PURCHASE_KEYS, ...UNSUBSCRIBE_KEYS, ...STATE_KEYS];

function declaredCount(frame: Record<string, unknown>): number | undefined {
  const declared = [frame.nCustomers, frame.numCustomers, frame.populationSize, frame.customers];
  return declared.find((v): v is number => Number.isInteger(v));
}

/**
 * Per-customer records as objects: from `customers: [{...}]`, from parallel arrays under the
 * known per-customer keys, or the frame itself for a single-customer view.
 */
function customerRecords(frame: Record<string, unknown>): Record<string, unknown>[] {
  if (Array.isArray(frame.customers) && frame.customers.every(isRecord)) return frame.customers;
  const arrays = PER_CUSTOMER_KEYS.filter((k) => Array.isArray(frame[k])).map(
    (k) => [k, frame[k]] as [string, unknown[]],
  );
  if (arrays.length === 0) return [frame];
  const n = declaredCount(frame) ?? arrays[0][1].length;
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < Math.min(n, MAX_CUSTOMER_CELLS); i++) {
    records.push(Object.fromEntries(arrays.map(([k, v]) => [k, v[i]])));
  }
  return records;
}

/** Reads a marketing frame into a {@link MarketingView}. */
export function readMarketingFrame(frame: Record<string, unknown>): MarketingView {
  const records = customerRecords(frame);
  const counters = Object.entries(frame)
    .filter(([k, v]) => k !== 'family' && typeof v === 'number' && Number.isFinite(v))
    .map(([name, value]) => ({ name, value: value as number }));

  return {
    n:
      declaredCount(frame) ??
      (Array.isArray(frame.customers) ? frame.customers.length : records.length),
    actions: records.map((r) => toAction(pick(r, ACTION_KEYS))),
    purchased: records.map((r) => toFlag(pick(r, PURCHASE_KEYS))),
    unsubscribed: records.map((r) => toFlag(pick(r, UNSUBSCRIBE_KEYS))),
    states: records.map((r) => toLabel(pick(r, STATE_KEYS))),
    counters,
  };
}

/** Colour legend of customer cells, in priority order. */
export const CUSTOMER_COLORS = {
  unsubscribed: 0x495057,
  purchased: 0x2b8a3e,
  coupon: 0x9c36b5,
  email: 0x1c7ed6,
  idle: 0xdee2e6,
} as const;

/** Colour of one customer's cell: unsubscribed, else bought, else the e-mail sent, else idle. */
export function customerColor(view: MarketingView, i: number): Color {
  if (view.unsubscribed[i]) return CUSTOMER_COLORS.unsubscribed;
  if (view.purchased[i]) return CUSTOMER_COLORS.purchased;
  if (view.actions[i] === 2) return CUSTOMER_COLORS.coupon;
  if (view.actions[i] === 1) return CUSTOMER_COLORS.email;
  return CUSTOMER_COLORS.idle;
}

/** True when a frame can be drawn by the marketing renderer (any object with family marketing). */
export function isMarketingFrame(frame: unknown): frame is Record<string, unknown> {
  return isRecord(frame);
}

function countersText(view: MarketingView, runningReturn: number): string {
  const drawn = Math.min(view.actions.length, MAX_CUSTOMER_CELLS);
  const mailed = view.actions.filter((a) => a !== null && a > 0).length;
  const bought = view.purchased.filter(Boolean).length;
  const parts = [`customers ${view.n}${drawn < view.n ? ` (first ${drawn} shown)` : ''}`];
  parts.push(
    `mailed now ${mailed}`,
    `bought now ${bought}`,
    `profit so far ${formatNumber(runningReturn)}`,
  );
  const own = view.counters.filter(
    (c) => !/^(n|nCustomers|numCustomers|populationSize|customers)$/.test(c.name),
  );
  return [parts.join(' · '), own.map((c) => `${c.name} ${formatNumber(c.value)}`).join(' · ')].join(
    '\n',
  );
}

/**
 * Scene of a marketing-campaign frame: customers as a grid of cells coloured by their state
 * (e-mailed, coupon, bought, unsubscribed), with e-mails sent, purchases and the running
 * profit (the sum of rewards so far, i.e. margin minus costs) as text.
 */
export function buildMarketingScene(input: ReplayInput): Scene {
  const view = readMarketingFrame(frameAt(input) as Record<string, unknown>);
  const area = contentArea(input);
  const cells = Math.max(1, Math.min(view.actions.length, MAX_CUSTOMER_CELLS));
  const top = area.y + 44;
  const height = area.height - 44 - 22;
  const cols = Math.max(1, Math.ceil(Math.sqrt((cells * area.width) / height)));
  const rows = Math.ceil(cells / cols);
  const side = Math.max(1, Math.floor(Math.min(area.width / cols, height / rows)));
  const gap = side >= 6 ? 1 : 0;
  const shapes: Shape[] = [...titleShapes(input, 'marketing')];
  shapes.push({
    kind: 'text',
    x: area.x,
    y: area.y + 2,
    text: countersText(view, input.runningReturn),
    size: 12,
    color: PALETTE.text,
    mono: true,
  });
  for (let i = 0; i < view.actions.length && i < cells; i++) {
    const x = area.x + (i % cols) * side;
    const y = top + Math.floor(i / cols) * side;
    shapes.push({ kind: 'rect', x, y, w: side - gap, h: side - gap, fill: customerColor(view, i) });
  }
  const legendY = top + rows * side + 6;
  const legend = 'grey idle · blue e-mail · purple coupon · green bought · dark unsubscribed';
  shapes.push({
    kind: 'text',
    x: area.x,
    y: legendY,
    text: legend,
    size: 11,
    color: PALETTE.mutedText,
  });
  const status = statusShapes(input, describeStep(input));
  shapes.push(...status.shapes);
  const first: Probe = {
    label: 'customer 0',
    x: area.x + (side - gap) / 2,
    y: top + (side - gap) / 2,
    color: customerColor(view, 0),
  };

  return {
    ...input.viewport,
    background: PALETTE.background,
    shapes,
    probes: view.actions.length > 0 ? [first, status.marker] : [status.marker],
  };
}

import { contentArea, describeStep, statusShapes, titleShapes } from './common';
import { buildCustomerScene } from './marketingCustomer';
import { formatNumber, shortJson, wrapParts } from './geometry';
import { CUSTOMER_COLORS, PALETTE } from './palette';
import {
  finiteOrNull,
  frameAt,
  isRecord,
  observationAt,
  stepLeadingHere,
  type ReplayInput,
} from './replay';
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

/** A per-customer action as a number (booleans mean e-mailed), or null. */
export function toAction(v: unknown): number | null {
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

/**
 * Positions in a row of the marketing env's observation (envs/marketing `CUSTOMER_FEATURES`:
 * age, 4 regions, income band, tenure, recency, frequency, average order value, recent
 * e-mails, engagement, unsubscribed). Only rows of exactly this width are read this way.
 */
export const MARKETING_FEATURES = { width: 13, recency: 7, unsubscribed: 12 } as const;

/** Row `i` of a customers x features observation, flat (row-major) or nested. */
function observationRow(observation: unknown, i: number, width: number): number[] | null {
  if (!Array.isArray(observation)) return null;
  if (Array.isArray(observation[i])) return observation[i] as number[];
  if (typeof observation[0] === 'number') return observation.slice(i * width, (i + 1) * width);
  return null;
}

/**
 * Per-customer state of the population view, whose frame holds only weekly totals: the
 * actions are the step's action (one per customer), and who bought (recency back to 0) or
 * unsubscribed is read from the observation after the step.
 */
export function populationView(input: ReplayInput, frame: Record<string, unknown>): MarketingView {
  const n = typeof frame.customers === 'number' ? frame.customers : 0;
  const drawn = Math.min(n, MAX_CUSTOMER_CELLS);
  const step = stepLeadingHere(input);
  const action = step?.action;
  const observation = observationAt(input);
  const rows = Array.isArray(observation) ? observation : [];
  const width = Array.isArray(rows[0]) ? rows[0].length : rows.length / Math.max(1, n);
  const readable = width === MARKETING_FEATURES.width;
  const view: MarketingView = {
    n,
    actions: [],
    purchased: [],
    unsubscribed: [],
    states: [],
    counters: [],
  };
  for (let i = 0; i < drawn; i++) {
    const row = readable ? observationRow(observation, i, width) : null;
    view.actions.push(Array.isArray(action) && action.length === n ? toAction(action[i]) : null);
    view.purchased.push(step !== null && row?.[MARKETING_FEATURES.recency] === 0);
    view.unsubscribed.push((row?.[MARKETING_FEATURES.unsubscribed] ?? 0) >= 0.5);
    view.states.push(null);
  }
  return view;
}

/** True for the single-customer view's frame (features by name and expected rewards). */
export function isCustomerViewFrame(frame: Record<string, unknown>): boolean {
  return (
    frame.view === 'customer' || (isRecord(frame.features) && Array.isArray(frame.expectedRewards))
  );
}

function hasCustomerArrays(frame: Record<string, unknown>): boolean {
  return Array.isArray(frame.customers) || PER_CUSTOMER_KEYS.some((k) => Array.isArray(frame[k]));
}

function totalsParts(
  view: MarketingView,
  frame: Record<string, unknown>,
  runningReturn: number,
): string[] {
  const drawn = Math.min(view.actions.length, MAX_CUSTOMER_CELLS);
  const mailed = view.actions.filter((a) => a !== null && a > 0).length;
  const bought = view.purchased.filter(Boolean).length;
  const shown = drawn < view.n ? ` (first ${drawn} shown)` : '';
  const parts = [`customers ${view.n}${shown}`, `mailed this step ${mailed}`, `bought ${bought}`];
  parts.push(
    `profit so far ${formatNumber(finiteOrNull(frame.cumulativeProfit) ?? runningReturn)}`,
  );
  const skip = /^(customers|nCustomers|numCustomers|populationSize|cumulativeProfit)$/;
  for (const [k, v] of Object.entries(frame)) {
    if (typeof v === 'number' && !skip.test(k)) parts.push(`${k} ${formatNumber(v)}`);
  }
  if (isRecord(frame.lastWeek)) {
    const week = Object.entries(frame.lastWeek).filter(([, v]) => typeof v === 'number');
    parts.push(
      ...week.map(
        ([k, v], i) => `${i === 0 ? 'last week: ' : ''}${k} ${formatNumber(v as number)}`,
      ),
    );
  }
  return parts;
}

/**
 * Scene of a marketing-campaign frame. The customer view shows one customer (see
 * {@link buildCustomerScene}); otherwise customers are a grid of cells coloured by their state
 * (e-mailed, coupon, bought, unsubscribed), with e-mails sent, purchases and the running
 * profit as text.
 */
export function buildMarketingScene(input: ReplayInput): Scene {
  const frame = frameAt(input) as Record<string, unknown>;
  if (isCustomerViewFrame(frame)) return buildCustomerScene(input, frame);
  const view =
    hasCustomerArrays(frame) || typeof frame.customers !== 'number'
      ? readMarketingFrame(frame)
      : populationView(input, frame);
  const area = contentArea(input);
  const totals = wrapParts(
    totalsParts(view, frame, input.runningReturn),
    Math.floor(area.width / 7.3),
  );
  const cells = Math.max(1, Math.min(view.actions.length, MAX_CUSTOMER_CELLS));
  const top = area.y + 10 + totals.length * 15;
  const height = area.y + area.height - 22 - top;
  const cols = Math.max(1, Math.ceil(Math.sqrt((cells * area.width) / height)));
  const rows = Math.ceil(cells / cols);
  const side = Math.max(1, Math.floor(Math.min(area.width / cols, height / rows)));
  const gap = side >= 6 ? 1 : 0;
  const shapes: Shape[] = [...titleShapes(input, 'marketing')];
  shapes.push({
    kind: 'text',
    x: area.x,
    y: area.y + 2,
    text: totals.join('\n'),
    size: 12,
    color: PALETTE.text,
    mono: true,
  });
  for (let i = 0; i < view.actions.length && i < cells; i++) {
    const x = area.x + (i % cols) * side;
    const y = top + Math.floor(i / cols) * side;
    shapes.push({ kind: 'rect', x, y, w: side - gap, h: side - gap, fill: customerColor(view, i) });
  }
  const legend = 'grey idle · blue e-mail · purple coupon · green bought · dark unsubscribed';
  shapes.push({
    kind: 'text',
    x: area.x,
    y: top + rows * side + 6,
    text: legend,
    size: 11,
    color: PALETTE.mutedText,
  });
  const status = statusShapes(
    input,
    describeStep(input, (a) =>
      Array.isArray(a) ? `${a.filter((v) => v > 0).length} e-mails` : shortJson(a, 40),
    ),
  );
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

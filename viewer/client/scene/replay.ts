import type { EpisodeHeader, EpisodeStep } from '../../../src/recording';
import type { Viewport } from './types';

/** A render frame from a recording: `{ family, ...fields }`. */
export type Frame = { family: string } & Record<string, unknown>;

/** Per-action counts and reward sums over a prefix of the episode (integer actions only). */
export interface ActionStats {
  /** How many times each action was taken. */
  counts: number[];
  /** Sum of the rewards that followed each action. */
  sums: number[];
}

/**
 * Everything a family's scene builder may use to draw one moment of an episode.
 *
 * Positions count frames: position 0 is the state after `reset` (the header's frame), position
 * k (from 1 to `length`) the state after step line `t = k - 1`.
 */
export interface ReplayInput {
  /** The episode's header line. */
  header: EpisodeHeader;
  /** Number of steps in the episode. */
  length: number;
  /** The position shown, in [0, length]. */
  position: number;
  /**
   * The step line with index `t`, if it is in memory (steps are paged, so far-away steps
   * may be absent). Builders use it for trails and for the agent's values at the current
   * state, which live on the *next* step line (`stepAt(position)`), since agents report them
   * when they choose the action.
   */
  stepAt: (t: number) => EpisodeStep | undefined;
  /** Sum of the rewards of steps `0 .. position - 1`. */
  runningReturn: number;
  /**
   * Counts and reward sums per action over steps `0 .. position - 1`, when actions are integers.
   */
  actionStats: ActionStats | null;
  /** Size of the canvas. */
  viewport: Viewport;
}

/** The step line that led to `input.position`, or null at position 0. */
export function stepLeadingHere(input: ReplayInput): EpisodeStep | null {
  return input.position === 0 ? null : (input.stepAt(input.position - 1) ?? null);
}

/** The render frame at a position: the header's at 0, else the frame of step `position - 1`. */
export function frameAt(input: ReplayInput, position = input.position): Frame | null {
  if (position === 0) return (input.header.frame as Frame | null) ?? null;
  return (input.stepAt(position - 1)?.frame as Frame | null | undefined) ?? null;
}

/** The observation at a position (the header's first observation at 0). */
export function observationAt(input: ReplayInput, position = input.position): unknown {
  if (position === 0) return input.header.observation;
  return input.stepAt(position - 1)?.observation;
}

/** True when `value` is a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` is an array of finite numbers (typed arrays arrive as plain arrays). */
export function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** `value` when it is a finite number, else null. */
export function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

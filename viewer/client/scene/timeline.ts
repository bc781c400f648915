import { clamp } from './geometry';

/** Replay speeds offered, in steps per second. */
export const SPEEDS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 1000, 3000, 10000];

/** Options of {@link Playback}. */
export interface PlaybackOptions {
  /** Number of steps in the episode; positions run from 0 to `length`. */
  length: number;
  /**
   * Steps per second while playing.
   *
   * @defaultValue 10
   */
  stepsPerSecond?: number;
}

/**
 * The replay clock, free of any DOM or timer: the caller feeds it elapsed time with
 * {@link Playback.tick} (from PixiJS's ticker in the browser, by hand in tests).
 *
 * Position 0 is the state after reset and position `length` the state after the last step.
 * While playing, the position advances by `stepsPerSecond * dt`, carrying the fraction over to
 * the next tick, so the average rate equals the requested speed even when it exceeds the
 * display's frame rate (several steps per frame, only the last one drawn). It never moves
 * onto a position whose step is not loaded yet: it waits there ("buffering") instead of
 * skipping.
 */
export class Playback {
  /** Number of steps in the episode. */
  readonly length: number;
  private pos = 0;
  private fraction = 0;
  private rate: number;
  private running = false;
  private waiting = false;

  /** @param options - see {@link PlaybackOptions}. */
  constructor(options: PlaybackOptions) {
    this.length = Math.max(0, Math.floor(options.length));
    this.rate = options.stepsPerSecond ?? 10;
  }

  /** The current position in [0, length]. */
  get position(): number {
    return this.pos;
  }

  /** True while playing. */
  get playing(): boolean {
    return this.running;
  }

  /** True when playing but held because the next steps are still loading. */
  get buffering(): boolean {
    return this.running && this.waiting;
  }

  /** Steps per second while playing. */
  get stepsPerSecond(): number {
    return this.rate;
  }

  /** Sets the speed in steps per second (must be positive). */
  setSpeed(stepsPerSecond: number): void {
    if (!(stepsPerSecond > 0))
      throw new RangeError(`stepsPerSecond must be > 0, got ${stepsPerSecond}`);
    this.rate = stepsPerSecond;
  }

  /** Starts playing; at the end it restarts from 0. */
  play(): void {
    if (this.pos >= this.length) this.seek(0);
    this.running = this.length > 0;
  }

  /** Stops playing. */
  pause(): void {
    this.running = false;
    this.fraction = 0;
  }

  /** Goes to a position (clamped to [0, length]) and drops any partial step. */
  seek(position: number): void {
    this.pos = clamp(Math.round(position), 0, this.length);
    this.fraction = 0;
  }

  /** One step forward, pausing first. */
  stepForward(): void {
    this.pause();
    this.seek(this.pos + 1);
  }

  /** One step back, pausing first. */
  stepBack(): void {
    this.pause();
    this.seek(this.pos - 1);
  }

  /**
   * Advances the clock by `dtMs` milliseconds.
   *
   * @param dtMs - time elapsed since the last tick.
   * @param loadedUpTo - the furthest position whose step is in memory.
   * @returns true when the position changed.
   */
  tick(dtMs: number, loadedUpTo = this.length): boolean {
    if (!this.running) return false;
    const before = this.pos;
    // A long pause of the tab must not jump far ahead: cap one tick at 250 ms.
    this.fraction += (this.rate * Math.min(Math.max(dtMs, 0), 250)) / 1000;
    const whole = Math.floor(this.fraction);
    const target = Math.min(this.pos + whole, this.length);
    const reachable = Math.min(target, Math.max(loadedUpTo, this.pos));
    this.waiting = reachable < target;
    this.fraction = this.waiting ? 0 : this.fraction - whole;
    this.pos = reachable;
    if (this.pos >= this.length) this.pause();
    return this.pos !== before;
  }
}

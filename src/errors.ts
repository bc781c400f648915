/**
 * Typed errors. Each message says what is wrong (naming the argument), what was
 * expected, the value received, and how to fix it, so a user can act on it alone.
 */

/** Renders a received value compactly for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) {
    return String(value);
  }
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) {
    const arr = Array.from(value as unknown as ArrayLike<number>).slice(0, 8);
    const more = (value as unknown as ArrayLike<number>).length > 8 ? ', ...' : '';
    return `${value.constructor.name}[${arr.join(', ')}${more}]`;
  }
  try {
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Base class of every error tsgym throws on purpose. */
export class TsgymError extends Error {
  /** @param message - the full, user-facing message. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An action is not a member of the env's action space, or breaks its action mask. */
export class InvalidActionError extends TsgymError {}

/** `step` was called before `reset`, or after the episode ended. */
export class ResetNeededError extends TsgymError {}

/** A constructor option, keyword argument or flag is missing, unknown or out of range. */
export class InvalidConfigError extends TsgymError {}

/** A seed is not a non-negative safe integer. */
export class InvalidSeedError extends TsgymError {}

/** `make` was asked for an env id that is not registered. */
export class UnknownEnvError extends TsgymError {}

/** A file (recording, checkpoint, run, data set) is unreadable, truncated or malformed. */
export class CorruptFileError extends TsgymError {}

/** A file the user named does not exist. */
export class FileNotFoundError extends TsgymError {}

/** An ASCII map is malformed; the message names the row and column. */
export class InvalidMapError extends TsgymError {}

/** `checkEnv` found the env breaking the Env contract. */
export class EnvContractError extends TsgymError {}

/**
 * Throws {@link InvalidConfigError} for option names not in `allowed`.
 *
 * @param given - the options object received.
 * @param allowed - the option names the receiver understands.
 * @param where - who received the options, e.g. `'FrozenLake options'`.
 * @throws InvalidConfigError naming the first unknown option and listing the known ones.
 */
export function rejectUnknownOptions(
  given: object | undefined,
  allowed: readonly string[],
  where: string,
): void {
  if (given === undefined) return;
  for (const key of Object.keys(given)) {
    if (!allowed.includes(key)) {
      throw new InvalidConfigError(
        `${where}: unknown option ${JSON.stringify(key)}. ` +
          `Expected one of: ${allowed.join(', ')}. Remove it or fix its spelling.`,
      );
    }
  }
}

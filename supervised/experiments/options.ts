/**
 * Typed, validated experiment options: declared once per experiment, parsed from CLI strings
 * or given as values, unknown names rejected with the closest known name.
 */
import { distance } from 'fastest-levenshtein';
import { InvalidConfigError, describeValue } from '../../src/index';

/** Value kinds an option may take. */
export type OptionType =
  'integer' | 'number' | 'string' | 'boolean' | 'integer-list' | 'number-list';

/** One option of an experiment. */
export interface OptionSpec {
  /** Name, camelCase (`learningRate`); the CLI also accepts kebab-case (`--learning-rate`). */
  name: string;
  /** Value kind. */
  type: OptionType;
  /** Value when not given; `null` means "decided by the experiment" (documented per option). */
  default: unknown;
  /** One line for `tsgym supervised list`. */
  description: string;
  /** Allowed values of a string option. */
  choices?: readonly string[];
  /** Smallest allowed number (inclusive). */
  min?: number;
  /** Largest allowed number (inclusive). */
  max?: number;
}

/** Resolved option values by name. */
export type OptionValues = Record<string, unknown>;

/** Options every experiment takes (`--samples --epochs --seed`). */
export function commonOptions(defaults: {
  samples: number;
  epochs: number;
  /** `null` means the whole training set in one batch (full-batch gradient descent). */
  batchSize: number | null;
  seed?: number;
}): OptionSpec[] {
  return [
    {
      name: 'samples',
      type: 'integer',
      default: defaults.samples,
      min: 1,
      description: 'training examples used',
    },
    {
      name: 'epochs',
      type: 'integer',
      default: defaults.epochs,
      min: 1,
      description: 'passes over the training data',
    },
    {
      name: 'batchSize',
      type: 'integer',
      default: defaults.batchSize,
      min: 1,
      description: 'examples per gradient step (default: all, i.e. full batch, when shown as null)',
    },
    {
      name: 'seed',
      type: 'integer',
      default: defaults.seed ?? 0,
      min: 0,
      description: 'run seed (data, weights, shuffling, dropout)',
    },
  ];
}

/** camelCase form of a kebab-case name (`learning-rate` to `learningRate`). */
export function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function fail(where: string, spec: OptionSpec, value: unknown, expected: string): never {
  throw new InvalidConfigError(
    `${where}: option ${spec.name} must be ${expected}; received ${describeValue(value)}. ` +
      `Fix the value (see 'tsgym supervised list' for every option).`,
  );
}

function parseNumber(spec: OptionSpec, value: unknown, where: string): number {
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  const integer = spec.type === 'integer' || spec.type === 'integer-list';
  const kind = integer ? 'an integer' : 'a number';
  if (typeof n !== 'number' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    fail(where, spec, value, kind);
  }
  if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
    fail(where, spec, value, `${kind} in [${spec.min ?? '-inf'}, ${spec.max ?? 'inf'}]`);
  }
  return n;
}

function parseList(spec: OptionSpec, value: unknown, where: string): number[] {
  if (Array.isArray(value)) return value.map((v) => parseNumber(spec, v, where));
  if (typeof value !== 'string') fail(where, spec, value, 'a comma-separated list of numbers');
  const text = value.trim();
  if (text === '' || text === 'none') return [];
  return text.split(/[,x]/).map((part) => parseNumber(spec, part, where));
}

/**
 * Converts one value (a CLI string or an already typed value) to the option's type.
 *
 * @throws InvalidConfigError naming the option, the expected kind and the value received.
 */
export function parseOptionValue(spec: OptionSpec, value: unknown, where: string): unknown {
  if (value === null) return null;
  switch (spec.type) {
    case 'integer':
    case 'number':
      return parseNumber(spec, value, where);
    case 'integer-list':
    case 'number-list':
      return parseList(spec, value, where);
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      const text = String(value).toLowerCase();
      if (['true', '1', 'yes'].includes(text)) return true;
      if (['false', '0', 'no'].includes(text)) return false;
      return fail(where, spec, value, 'true or false');
    }
    case 'string': {
      const text = String(value);
      if (spec.choices && !spec.choices.includes(text)) {
        fail(where, spec, value, `one of ${spec.choices.join(', ')}`);
      }
      return text;
    }
  }
}

/** The known name closest to `name`, if it is close enough to be a typo. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * Fills in defaults and validates every given option.
 *
 * @param specs - the experiment's options.
 * @param given - values by name (camelCase or kebab-case), as strings or typed values.
 * @param where - the experiment name, for messages.
 * @throws InvalidConfigError for an unknown option (suggesting the closest name) or a bad value.
 */
export function resolveOptions(
  specs: readonly OptionSpec[],
  given: Record<string, unknown>,
  where: string,
): OptionValues {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: OptionValues = {};
  for (const spec of specs) out[spec.name] = spec.default;
  for (const [rawName, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const spec = byName.get(camelCase(rawName));
    if (!spec) {
      const near = closestName(camelCase(rawName), [...byName.keys()]);
      throw new InvalidConfigError(
        `${where}: unknown option ${describeValue(rawName)}.` +
          `${near ? ` Did you mean '${near}'?` : ''} Known options: ${[...byName.keys()].join(', ')}.`,
      );
    }
    out[spec.name] = parseOptionValue(spec, value, where);
  }
  return out;
}

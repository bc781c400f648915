/**
 * tsgym's shared contract: Env, spaces, seeded Rng, errors, registry, wrappers, recording.
 */
export * from './errors';
export * from './rng';
export * from './spaces';
export * from './env';
export * from './wrappers';
export * from './registry';
export * from './recording';
export * from './tabular';
export * from './agent';
export * from './vector';
export * from './checker';
export * from './normalize';
export * from './fsutil';
export * from './version';
export * from './runs';
export * from './train';
export * from './replay';
export * from './record-episode';

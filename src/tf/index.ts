/**
 * Public entry of the TensorFlow.js loader for the other folders (`supervised/`, `bench/`),
 * kept apart from `src/index.ts` so that importing the RL core never loads TF.js.
 */
export * from '../tf';

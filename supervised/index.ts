/**
 * The supervised-learning module: data sets and loaders, TF.js models with seeded randomness,
 * file-system model saving, replacement kernels for the pure backends, and the experiments of
 * SEED-NOTES.md (S1-S14) with their runner.
 */
export * from './data/idx';
export * from './data/mnist';
export * from './data/cifar';
export * from './data/iris';
export * from './data/dataset';
export * from './data/generators';
export * from './layers';
export * from './unrolled-rnn';
export * from './models';
export * from './model-io';
export * from './train';
export * from './kernels';
export * from './backend';
export * from './runner';
export * from './experiments/index';

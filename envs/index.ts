/** tsgym environments. Importing this module registers every built-in env with `make`. */
export {};
export * from './bandits';
export * from './gridworld/index';
export * from './marketing/index';
export * from './cartpole';

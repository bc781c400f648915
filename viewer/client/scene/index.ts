/**
 * The viewer's DOM-free scene logic (PITFALLS P20): episode to scene, timeline, paging, chart
 * layout. Importing this module touches no `document` or `window`, so it runs in bare Node.
 */
export * from './types';
export * from './geometry';
export * from './palette';
export * from './replay';
export * from './common';
export * from './gridworld';
export * from './bandit';
export * from './cartpole';
export * from './marketing';
export * from './marketingCustomer';
export * from './generic';
export * from './families';
export * from './timeline';
export * from './stepCache';
export * from './chart';

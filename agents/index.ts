/** tsgym agents: exploration policies, bandit agents, tabular agents, policy gradient. */
export * from './exploration';
export * from './bandits';
export * from './schedules';
export * from './policies';
export * from './tabular';
export * from './value-iteration';
export * from './policy-gradient/index';
export * from './contextual';
export * from './ope';

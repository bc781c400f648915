/** tsgym agents: exploration policies, bandit agents, tabular agents, policy gradient. */
export * from './exploration';

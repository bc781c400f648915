import { EnvContractError, describeValue } from '../src/index';

/**
 * Checks that an observation is a vector of `size` finite numbers, as the feature-based agents
 * (linear and network policies, the contextual bandit) need before computing anything, so that
 * no NaN ever reaches their parameters.
 *
 * @param x - the observation.
 * @param size - the number of features the agent was built for.
 * @throws EnvContractError naming the wrong length or the first non-finite feature.
 */
export function checkFeatureVector(x: ArrayLike<number>, size: number): void {
  if (x === null || typeof x !== 'object' || x.length !== size) {
    throw new EnvContractError(
      `observation must be a vector of ${size} numbers; received ${describeValue(x)}. ` +
        "Size the agent with the observation space's size.",
    );
  }
  for (let i = 0; i < size; i++) {
    if (!Number.isFinite(x[i])) {
      throw new EnvContractError(
        `observation feature ${i} is ${x[i]}; every feature must be a finite number. ` +
          'Fix the env or the observation transform that produced it.',
      );
    }
  }
}

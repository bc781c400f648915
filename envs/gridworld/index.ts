/**
 * Gridworlds: FrozenLake, CliffWalking, Taxi (Gymnasium's toy-text dynamics) and GridWorld
 * (ASCII maps). Importing this module registers their ids with `make`.
 */
import { register } from '../../src/index';
import { CliffWalking, type CliffWalkingOptions } from './cliff-walking';
import { FrozenLake, type FrozenLakeOptions } from './frozen-lake';
import { GridWorld, type GridWorldOptions } from './grid-world';
import { Taxi } from './taxi';

export { DiscreteModelEnv, type DiscreteModelSpec, type GridworldFrame } from './discrete-env';
export type { TransitionTable } from './discrete-env';
export {
  FROZEN_LAKE_MAPS,
  checkRectangular,
  generateRandomMap,
  hasPathToGoal,
  type RandomMapOptions,
} from './maps';
export { FrozenLake, FrozenLakeAction, type FrozenLakeOptions } from './frozen-lake';
export { CliffWalking, CliffWalkingAction, type CliffWalkingOptions } from './cliff-walking';
export { Taxi, TaxiAction, decodeTaxi, encodeTaxi, type TaxiState } from './taxi';
export { GridWorld, GridWorldAction, type GridWorldOptions } from './grid-world';

// Time limits and thresholds of FrozenLake and Taxi are Gymnasium's registrations
// (gymnasium/envs/__init__.py; published optima 0.74, 0.91 and 8.46).
register('FrozenLake-v1', (kwargs) => new FrozenLake(kwargs as FrozenLakeOptions), {
  maxEpisodeSteps: 100,
  rewardThreshold: 0.7,
  kwargs: { mapName: '4x4' },
  description: 'Slippery 4x4 frozen lake (Gymnasium FrozenLake-v1)',
});

register('FrozenLake8x8-v1', (kwargs) => new FrozenLake(kwargs as FrozenLakeOptions), {
  maxEpisodeSteps: 200,
  rewardThreshold: 0.85,
  kwargs: { mapName: '8x8' },
  description: 'Slippery 8x8 frozen lake (Gymnasium FrozenLake8x8-v1)',
});

// Gymnasium registers CliffWalking without a time limit; tsgym needs one, and 200 steps is
// far above the optimal 13. The threshold -13 is that optimum (Sutton and Barto, Example 6.6).
register('CliffWalking-v1', (kwargs) => new CliffWalking(kwargs as CliffWalkingOptions), {
  maxEpisodeSteps: 200,
  rewardThreshold: -13,
  description: 'Cliff walking, 4x12 (Sutton and Barto, Example 6.6; Gymnasium CliffWalking-v1)',
});

register('CliffWalkingSlippery-v1', (kwargs) => new CliffWalking(kwargs as CliffWalkingOptions), {
  maxEpisodeSteps: 200,
  kwargs: { isSlippery: true },
  description: 'Cliff walking where moves slip sideways with probability 2/3',
});

register('Taxi-v3', (kwargs) => new Taxi(kwargs), {
  maxEpisodeSteps: 200,
  rewardThreshold: 8,
  description: 'Taxi pickup and drop-off on a 5x5 grid (Dietterich 2000; Gymnasium Taxi-v3)',
});

register('GridWorld-v0', (kwargs) => new GridWorld(kwargs as GridWorldOptions), {
  maxEpisodeSteps: 100,
  description: 'Gridworld from an ASCII map (default: Russell and Norvig 4x3 world)',
});

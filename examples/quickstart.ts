// Train Q-learning on CliffWalking, write a run folder, and evaluate the greedy policy.
import { Rng, RunWriter, evaluate, make, train } from '../src/index';
import '../envs/index'; // registers the built-in envs with make()
import { QLearning } from '../agents/index';

const env = make<number, number>('CliffWalking-v1');
const agent = new QLearning({ nStates: 48, nActions: 4, alpha: 0.5, gamma: 1, rng: new Rng(0) });
const run = new RunWriter('runs/quickstart'); // run.json, metrics.jsonl, episodes/, checkpoints/

const result = train({ env, agent, seed: 0, totalEpisodes: 500, run, recordEveryEpisodes: 100 });
run.close();
const greedy = evaluate(env, agent, { episodes: 1, seed: 1 });
console.log(`${result.steps} steps, greedy return ${greedy.meanReturn}`); // greedy return -13

import {
  Discrete,
  Env,
  InvalidActionError,
  ResetNeededError,
  Rng,
  register,
  type Agent,
  type ActResult,
  type Experience,
  type ResetArgs,
  type StepResult,
} from '../../src/index';

/**
 * A small stochastic chain for loop tests: states 0..n-1, action 1 moves right with
 * probability 0.8 (else stays), action 0 moves left; reaching n-1 terminates with reward 1.
 */
export class ChainEnv extends Env<number, number> {
  readonly observationSpace: Discrete;
  readonly actionSpace = new Discrete(2);
  private state = -1;

  constructor(readonly n = 5) {
    super();
    this.observationSpace = new Discrete(n);
  }

  reset(args: ResetArgs = {}) {
    this.seedRng(args.seed);
    this.state = this.rng.int(2);
    return { observation: this.state, info: {} };
  }

  step(action: number): StepResult<number> {
    if (this.state < 0) throw new ResetNeededError('reset first');
    if (!this.actionSpace.contains(action)) throw new InvalidActionError(`bad action ${action}`);
    if (action === 1 && this.rng.random() < 0.8) this.state++;
    if (action === 0 && this.state > 0) this.state--;
    const terminated = this.state === this.n - 1;
    return {
      observation: this.state,
      reward: terminated ? 1 : 0,
      terminated,
      truncated: false,
      info: {},
    };
  }

  override render() {
    return { family: 'generic', state: this.state };
  }
}

register('TestChain-v0', (kw) => new ChainEnv((kw.n as number) ?? 5), { maxEpisodeSteps: 20 });

/** Epsilon-greedy tabular Q-learning in a dozen lines, for loop tests only. */
export class TinyQAgent implements Agent<number, number> {
  readonly name = 'TinyQ';
  q: number[];
  rng: Rng;

  constructor(
    seed: number,
    readonly nStates = 5,
  ) {
    this.q = new Array(nStates * 2).fill(0);
    this.rng = new Rng(seed).spawn('agent');
  }

  config() {
    return { alpha: 0.5, gamma: 0.9, epsilon: 0.2 };
  }

  act(observation: number, _info: unknown, explore: boolean): ActResult<number> {
    const q0 = this.q[observation * 2];
    const q1 = this.q[observation * 2 + 1];
    const greedy = q1 > q0 ? 1 : q0 > q1 ? 0 : this.rng.int(2);
    const action = explore && this.rng.random() < 0.2 ? this.rng.int(2) : greedy;
    return { action, actionProb: action === greedy ? 0.9 : 0.1 };
  }

  learn(e: Experience<number, number>) {
    const next = e.terminated
      ? 0
      : Math.max(this.q[e.nextObservation * 2], this.q[e.nextObservation * 2 + 1]);
    const i = e.observation * 2 + e.action;
    const tdError = e.reward + 0.9 * next - this.q[i];
    this.q[i] += 0.5 * tdError;
    return { loss: tdError * tdError };
  }

  getState() {
    return { q: [...this.q], rng: this.rng.getState() };
  }

  setState(state: unknown) {
    const s = state as { q: number[]; rng: ReturnType<Rng['getState']> };
    this.q = [...s.q];
    this.rng = Rng.fromState(s.rng);
  }
}

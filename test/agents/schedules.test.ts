import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../src/index';
import {
  ConstantSchedule,
  EpsilonGreedyPolicy,
  ExponentialSchedule,
  LinearSchedule,
  scheduleFromJSON,
  toSchedule,
  type ScheduleConfig,
} from '../../agents/index';

describe('ConstantSchedule', () => {
  it('returns its value at every time', () => {
    const schedule = new ConstantSchedule(0.1);

    expect([0, 1, 1e9].map((t) => schedule.value(t))).toEqual([0.1, 0.1, 0.1]);
  });
});

describe('LinearSchedule', () => {
  it('interpolates from start to end over duration, then stays at end', () => {
    const schedule = new LinearSchedule({ start: 1, end: 0.1, duration: 100 });

    const values = [0, 25, 50, 100, 101, 1e6].map((t) => schedule.value(t));

    expect(values[0]).toBe(1);
    expect(values[1]).toBeCloseTo(0.775, 12);
    expect(values[2]).toBeCloseTo(0.55, 12);
    expect(values.slice(3)).toEqual([0.1, 0.1, 0.1]);
  });

  it('can rise as well as fall', () => {
    const schedule = new LinearSchedule({ start: 0, end: 2, duration: 4, unit: 'episode' });

    expect(schedule.value(1)).toBe(0.5);
    expect(schedule.unit).toBe('episode');
  });
});

describe('ExponentialSchedule', () => {
  it('halves the distance to end after each half-life', () => {
    const schedule = new ExponentialSchedule({ start: 1, end: 0.05, halfLife: 1000 });

    expect(schedule.value(0)).toBe(1);
    expect(schedule.value(1000)).toBeCloseTo(0.525, 12);
    expect(schedule.value(2000)).toBeCloseTo(0.2875, 12);
    expect(schedule.value(1e7)).toBeCloseTo(0.05, 12);
  });

  it('follows end + (start - end) exp(-rate t) for a decay rate', () => {
    const schedule = new ExponentialSchedule({ start: 1, end: 0, decayRate: 0.01 });

    expect(schedule.value(100)).toBeCloseTo(Math.exp(-1), 14);
    expect(schedule.halfLife).toBeCloseTo(Math.LN2 / 0.01, 10);
  });
});

describe('schedule JSON', () => {
  const configs: ScheduleConfig[] = [
    { type: 'constant', value: 0.2, unit: 'step' },
    { type: 'linear', start: 1, end: 0.05, duration: 5000, unit: 'episode' },
    { type: 'exponential', start: 1, end: 0.01, halfLife: 300, unit: 'step' },
    { type: 'exponential', start: 2, end: 0.5, decayRate: 0.001, unit: 'episode' },
  ];

  it.each(configs)('round-trips $type through JSON', (config) => {
    const schedule = scheduleFromJSON(config);

    const again = scheduleFromJSON(JSON.parse(JSON.stringify(schedule.toJSON())));

    expect(again.toJSON()).toEqual(config);
    expect([0, 7, 400, 9000].map((t) => again.value(t))).toEqual(
      [0, 7, 400, 9000].map((t) => schedule.value(t)),
    );
  });

  it('accepts a number, a schedule or a config wherever a schedule is expected', () => {
    const linear = new LinearSchedule({ start: 1, end: 0, duration: 10 });

    expect(toSchedule(0.3, 'epsilon').value(99)).toBe(0.3);
    expect(toSchedule(linear, 'epsilon')).toBe(linear);
    expect(toSchedule({ type: 'constant', value: 0.4 }, 'epsilon').value(1)).toBe(0.4);
  });
});

describe('schedule validation', () => {
  it('names the bad argument and the received value', () => {
    expect(() => new LinearSchedule({ start: 1, end: 0, duration: 0 })).toThrow(
      /LinearSchedule duration must be a finite number > 0; received 0/,
    );
    expect(() => new LinearSchedule({ start: NaN, end: 0, duration: 1 })).toThrow(
      /LinearSchedule start must be a finite number; received NaN/,
    );
    expect(() => new ExponentialSchedule({ start: 1, end: 0, halfLife: -5 })).toThrow(
      /ExponentialSchedule halfLife must be a finite number > 0; received -5/,
    );
    expect(() => new ConstantSchedule(1, 'epoch' as never)).toThrow(
      /ConstantSchedule unit must be 'step' or 'episode'; received "epoch"/,
    );
  });

  it('requires exactly one of decayRate and halfLife', () => {
    const both = { start: 1, end: 0, decayRate: 0.1, halfLife: 3 };

    expect(() => new ExponentialSchedule(both)).toThrow(InvalidConfigError);
    expect(() => new ExponentialSchedule({ start: 1, end: 0 })).toThrow(
      /exactly one of decayRate or halfLife/,
    );
  });

  it('rejects unknown options and types', () => {
    const typo = { start: 1, end: 0, durtion: 5 } as never;

    expect(() => new LinearSchedule(typo)).toThrow(/unknown option "durtion"/);
    expect(() => scheduleFromJSON({ type: 'cosine' } as never)).toThrow(
      /schedule type must be 'constant', 'linear' or 'exponential'; received "cosine"/,
    );
    expect(() => toSchedule({ type: 'linear', start: 1 } as never, 'epsilon')).toThrow(
      /epsilon: LinearSchedule end must be a finite number; received undefined/,
    );
  });
});

describe('schedule clocks', () => {
  it('counts steps or episodes as the unit says', () => {
    const byStep = new EpsilonGreedyPolicy({
      epsilon: { type: 'linear', start: 1, end: 0, duration: 10, unit: 'step' },
    });
    const byEpisode = new EpsilonGreedyPolicy({
      epsilon: { type: 'linear', start: 1, end: 0, duration: 10, unit: 'episode' },
    });

    for (const policy of [byStep, byEpisode]) {
      for (let i = 0; i < 4; i++) policy.advanceStep();
      policy.advanceEpisode();
    }

    expect(byStep.epsilon).toBeCloseTo(0.6, 12);
    expect(byEpisode.epsilon).toBeCloseTo(0.9, 12);
  });

  it('restores the schedule position from saved clocks', () => {
    const policy = new EpsilonGreedyPolicy({
      epsilon: { type: 'exponential', start: 1, end: 0, halfLife: 5 },
    });
    for (let i = 0; i < 5; i++) policy.advanceStep();
    const saved = JSON.parse(JSON.stringify(policy.getState()));

    const restored = new EpsilonGreedyPolicy({ epsilon: policy.schedule });
    restored.setState(saved);

    expect(restored.epsilon).toBeCloseTo(0.5, 12);
    expect(() => restored.setState({ steps: -1, episodes: 0 })).toThrow(
      /policy state.steps must be a non-negative integer; received -1/,
    );
  });
});

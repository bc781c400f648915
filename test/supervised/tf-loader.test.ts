import { afterEach, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../src/index';
import {
  TF_BACKEND_ENV,
  loadTf,
  parseBackendName,
  setTfImportersForTesting,
} from '../../src/tf/index';

// This file never registers tsgym's replacement kernels, so the wasm backend keeps its gaps.
const missingNode = () =>
  Promise.reject(
    new Error('The Node.js native addon module (tfjs_binding.node) can not be found\nsecond line'),
  );

function recordingLogger() {
  const lines: string[] = [];
  return { lines, logger: { info: (line: string) => lines.push(line) } };
}

afterEach(() => setTfImportersForTesting());

describe('loadTf', () => {
  it('falls back to the pure backends when tfjs-node cannot load, and says why', async () => {
    setTfImportersForTesting({ node: missingNode });
    const { lines, logger } = recordingLogger();

    const selection = await loadTf({ env: {}, logger });

    expect(selection.backend).toBe('wasm');
    expect(selection.nodeUnavailable).toBe(
      'The Node.js native addon module (tfjs_binding.node) can not be found',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/backend 'wasm'.*tfjs-node not loaded/);
  });

  it('logs each backend choice once', async () => {
    setTfImportersForTesting({ node: missingNode });
    const { lines, logger } = recordingLogger();

    await loadTf({ env: {}, logger });
    await loadTf({ env: {}, logger });
    await loadTf({ env: {}, logger, backend: 'cpu' });
    await loadTf({ env: {}, logger, backend: 'cpu' });

    expect(lines.map((l) => l.split(':')[0])).toEqual([
      "TensorFlow.js backend 'wasm'",
      "TensorFlow.js backend 'cpu'",
    ]);
  });

  it('chooses per model: cpu for a model needing a kernel wasm lacks', async () => {
    setTfImportersForTesting({ node: missingNode });

    const dense = await loadTf({ env: {}, requiredKernels: ['BatchMatMul'] });
    const conv = await loadTf({ env: {}, requiredKernels: ['Conv2D', 'Conv2DBackpropFilter'] });

    expect(dense.backend).toBe('wasm');
    expect(conv.backend).toBe('cpu');
    expect(conv.reason).toMatch(/wasm lacks Conv2DBackpropFilter/);
    expect(conv.tf.getBackend()).toBe('cpu');
  });

  it('lets the flag win over the environment variable, which wins over the automatic choice', async () => {
    setTfImportersForTesting({ node: missingNode });

    const fromEnv = await loadTf({ env: { [TF_BACKEND_ENV]: 'cpu' } });
    const fromFlag = await loadTf({ env: { [TF_BACKEND_ENV]: 'cpu' }, backend: 'wasm' });

    expect([fromEnv.backend, fromEnv.reason]).toEqual(['cpu', `forced by ${TF_BACKEND_ENV}=cpu`]);
    expect([fromFlag.backend, fromFlag.reason]).toEqual(['wasm', 'forced by --backend=wasm']);
  });

  it('rejects a forced backend that lacks a kernel the model needs, naming both', async () => {
    setTfImportersForTesting({ node: missingNode });

    const attempt = loadTf({
      env: {},
      backend: 'wasm',
      model: 'mnist-cnn',
      requiredKernels: ['Conv2DBackpropFilter'],
    });

    await expect(attempt).rejects.toThrow(InvalidConfigError);
    await expect(
      loadTf({
        env: {},
        backend: 'wasm',
        model: 'mnist-cnn',
        requiredKernels: ['Conv2DBackpropFilter'],
      }),
    ).rejects.toThrow(/--backend=wasm: mnist-cnn needs the kernels Conv2DBackpropFilter/);
  });

  it('rejects unknown names and a forced tfjs-node that is not installed', async () => {
    setTfImportersForTesting({ node: missingNode });

    expect(() => parseBackendName('webgl', TF_BACKEND_ENV)).toThrow(
      /TSGYM_TF_BACKEND: unknown TensorFlow.js backend "webgl"/,
    );
    expect(parseBackendName('Node', '--backend')).toBe('tensorflow');
    await expect(loadTf({ env: { [TF_BACKEND_ENV]: 'gpu' } })).rejects.toThrow(InvalidConfigError);
    await expect(loadTf({ env: {}, backend: 'tensorflow' })).rejects.toThrow(
      /not available here \(The Node.js native addon/,
    );
  });

  it('runs the prepare hook once per TF.js module', async () => {
    setTfImportersForTesting({ node: missingNode });
    let calls = 0;
    const prepare = () => void calls++;

    await loadTf({ env: {}, prepare });
    await loadTf({ env: {}, prepare });

    expect(calls).toBe(1);
  });

  it('uses tfjs-node when it loads and otherwise records the real reason it did not', async () => {
    setTfImportersForTesting();

    const selection = await loadTf({ env: {} });

    if (selection.backend === 'tensorflow') expect(selection.nodeUnavailable).toBeUndefined();
    else expect(selection.nodeUnavailable).toMatch(/\S/);
  });
});

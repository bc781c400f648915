import { expect } from 'vitest';

/** Largest absolute difference divided by the largest absolute reference value. */
export function relativeError(reference: Float32Array, other: Float32Array): number {
  expect(other.length).toBe(reference.length);
  let [diff, scale] = [0, 1e-12];
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(reference[i] - other[i]));
    scale = Math.max(scale, Math.abs(reference[i]));
  }
  return diff / scale;
}

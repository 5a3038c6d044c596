/** One benchmark figure beside its baseline, measured in the same process (`bench/results.json` holds an array of these). */
export interface BenchResult {
  name: string;
  unit: string;
  value: number;
  baselineName: string;
  baselineValue: number;
  ratio: number;
}

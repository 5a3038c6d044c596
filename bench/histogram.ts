import hdr from "hdr-histogram-js";

/** A latency histogram in microseconds: 1 µs to 10 s, three significant digits. */
export const microsecondHistogram = (): hdr.Histogram =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 10_000_000, numberOfSignificantValueDigits: 3 });

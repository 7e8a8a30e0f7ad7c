// A long run's stored progress samples are thinned so a run's detail (getRun) stays small: every sample is kept for
// the first MAX_SAMPLES × 250 ms (500 s at the lab's 250 ms cadence); after that the run's time is cut into buckets,
// 500 ms, then 1 s, 2 s, … wide, doubling whenever the run has more than MAX_SAMPLES of them, and only the first
// sample of each bucket is kept, plus the newest one so the chart reaches the present, and the one with the most
// memory, so a run's peak (compare.ts) is the same as before thinning. The width is a function of the
// run's elapsed time alone, so the rule needs no state: a resumed run or a reopened database thins the same way.

/** About this many samples are kept per run (at most MAX_SAMPLES + 3: a partly filled bucket, the newest, the peak). */
export const MAX_SAMPLES = 2000
/** The lab's progress cadence: below MAX_SAMPLES of these, every sample is kept. */
export const SAMPLE_EVERY_MS = 250

/** The bucket width in ms for a run that has reached elapsedMs; 0 = keep every sample. */
export function bucketMs(elapsedMs: number, max = MAX_SAMPLES): number {
  let w = SAMPLE_EVERY_MS
  if (elapsedMs <= max * w) return 0
  do w *= 2
  while (elapsedMs > max * w)
  return w
}

/**
 * Delivery-interval arithmetic for the trading page (pure, unit-tested). The chain's clock is the
 * one that matters: the Hardhat devnet stamps blocks with the wall clock, but tests (and
 * `evm_increaseTime`) move it ahead, so "now" is the later of the wall clock and the last block.
 */

export interface IntervalTiming {
  interval: bigint;
  /** Delivery starts (unix seconds). */
  startTime: bigint;
  /** Orders accepted until (unix seconds, exclusive). */
  gateClosureTime: bigint;
}

/** The chain's "now" in unix seconds: the later of the wall clock and the latest block's timestamp. */
export function chainNowSeconds(latestBlockTimestamp: bigint | undefined, wallClockMs: number): number {
  const wall = Math.floor(wallClockMs / 1000);
  return latestBlockTimestamp === undefined ? wall : Math.max(wall, Number(latestBlockTimestamp));
}

/** True once `now` has reached the gate closure (the contract accepts orders while now < gateClosureTime). */
export function isGated(timing: Pick<IntervalTiming, "gateClosureTime">, nowSeconds: number): boolean {
  return BigInt(nowSeconds) >= timing.gateClosureTime;
}

/** Intervals still open for orders, soonest first (the first is "the open interval"). */
export function openIntervals(timings: readonly IntervalTiming[], nowSeconds: number): IntervalTiming[] {
  return [...timings].filter((t) => !isGated(t, nowSeconds)).sort((a, b) => (a.interval < b.interval ? -1 : a.interval > b.interval ? 1 : 0));
}

/** Seconds left until `timing`'s gate closes (0 when closed). */
export function secondsToGate(timing: Pick<IntervalTiming, "gateClosureTime">, nowSeconds: number): number {
  return Math.max(0, Number(timing.gateClosureTime) - nowSeconds);
}

/** The interval numbers to look at around the current one: `before` past ones and `after` upcoming ones. */
export function intervalRange(current: bigint, before: number, after: number): bigint[] {
  const list: bigint[] = [];
  for (let i = -before; i <= after; i++) {
    const n = current + BigInt(i);
    if (n >= 0n) list.push(n);
  }
  return list;
}

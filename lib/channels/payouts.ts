/**
 * The payout rule of PaymentChannels, mirrored for clients (what will I get if this closes now?).
 * With T = depositA + depositB and every amount capped at T:
 *   payoutA = clamp(depositA + transferredBToA + unlockedBToA − transferredAToB − unlockedAToB, 0, T)
 *   payoutB = T − payoutA
 */
export interface PayoutInput {
  depositAWei: bigint;
  depositBWei: bigint;
  transferredAToBWei: bigint;
  transferredBToAWei: bigint;
  unlockedAToBWei?: bigint;
  unlockedBToAWei?: bigint;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

export function channelPayouts(input: PayoutInput): { payoutAWei: bigint; payoutBWei: bigint } {
  const total = input.depositAWei + input.depositBWei;
  const cap = (x: bigint | undefined): bigint => min(x ?? 0n, total);
  const inA = input.depositAWei + cap(input.transferredBToAWei) + cap(input.unlockedBToAWei);
  const outA = cap(input.transferredAToBWei) + cap(input.unlockedAToBWei);
  const payoutAWei = inA > outA ? min(inA - outA, total) : 0n;
  return { payoutAWei, payoutBWei: total - payoutAWei };
}

/**
 * Pay-as-delivered streaming: one channel payment per tick (default one minute) for the energy
 * metered since the last tick, at a fixed price per kWh.
 *
 * The amount owed is computed on the cumulative meter reading, so rounding never drifts:
 *   owed(totalWh) = ceil(totalWh × priceWeiPerKWh / 1000)   (the buyer rounds up, like the market)
 *   payment(tick) = owed(now) − paidSoFar
 * An optional `capWh` stops paying beyond the traded energy.
 *
 *   const stream = new StreamPayer({
 *     priceWeiPerKWh: 250_000n,                       // 0.25 PLC/kWh
 *     readMeterWh: () => meter.cumulativeWh(),        // the buyer's metered import (or the seller's export)
 *     pay: (amountWei) => client.pay(channelId, amountWei).then(send),   // or HubRouter.route(...)
 *   });
 *   stream.start();   // … stream.stop()
 */
export interface StreamPayerOptions {
  priceWeiPerKWh: bigint;
  /** Cumulative delivered energy in Wh (monotonic). */
  readMeterWh: () => bigint | Promise<bigint>;
  /** Make one channel payment (direct or through the hub). */
  pay: (amountWei: bigint) => Promise<unknown>;
  /** Stop paying beyond this much energy (the traded amount). */
  capWh?: bigint;
  /** Tick period for `start` (default 60,000 ms = one payment per minute). */
  intervalMs?: number;
  onPayment?: (p: StreamTick) => void;
  onError?: (error: unknown) => void;
}

export interface StreamTick {
  deliveredWh: bigint;
  amountWei: bigint;
  totalPaidWei: bigint;
}

export function owedWei(totalWh: bigint, priceWeiPerKWh: bigint): bigint {
  return (totalWh * priceWeiPerKWh + 999n) / 1000n;
}

export class StreamPayer {
  private readonly options: StreamPayerOptions;
  private startWh: bigint | null = null;
  private paidWei = 0n;
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(options: StreamPayerOptions) {
    if (options.priceWeiPerKWh < 0n) throw new RangeError("price must not be negative");
    this.options = options;
  }

  get totalPaidWei(): bigint {
    return this.paidWei;
  }

  /** Read the meter and pay what is owed since the stream started. The first call sets the baseline. */
  async tick(): Promise<StreamTick> {
    const reading = await this.options.readMeterWh();
    if (this.startWh === null) this.startWh = reading;
    let deliveredWh = reading - this.startWh;
    if (deliveredWh < 0n) throw new Error(`meter went backwards: ${reading} < ${this.startWh}`);
    if (this.options.capWh !== undefined && deliveredWh > this.options.capWh) deliveredWh = this.options.capWh;
    const amountWei = owedWei(deliveredWh, this.options.priceWeiPerKWh) - this.paidWei;
    if (amountWei > 0n) {
      await this.options.pay(amountWei);
      this.paidWei += amountWei;
    }
    const result = { deliveredWh, amountWei: amountWei > 0n ? amountWei : 0n, totalPaidWei: this.paidWei };
    this.options.onPayment?.(result);
    return result;
  }

  /** Tick every `intervalMs` (ticks never overlap). Reads the baseline now. */
  start(): void {
    if (this.timer) return;
    this.running = this.tick().catch((e) => this.options.onError?.(e));
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.tick()).catch((e) => this.options.onError?.(e));
    }, this.options.intervalMs ?? 60_000);
  }

  /** Stop ticking and wait for a tick in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}

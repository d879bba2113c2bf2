/**
 * Formatting and parsing of the numbers PowerLAN shows: PowerLAN Credit (PLC, 6 decimals) amounts,
 * prices in token base units per kWh, energies in Wh, times. Pure functions (no React, no chain),
 * unit-tested in test/app/format.test.ts.
 */

/** Decimals of the payment token, PowerLAN Credit (PLC). */
export const PLC_DECIMALS = 6;
const PLC_UNIT = 10n ** BigInt(PLC_DECIMALS);

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * A fixed-point amount with `decimals` decimals as text, rounded half-up to `fractionDigits`
 * (trailing zeros kept so columns line up), with thousands separators. `formatUnitsFixed(1234500000n, 6, 2)` → "1,234.50".
 */
export function formatUnitsFixed(value: bigint, decimals: number, fractionDigits: number): string {
  const negative = value < 0n;
  let abs = negative ? -value : value;
  if (fractionDigits < decimals) {
    const drop = 10n ** BigInt(decimals - fractionDigits);
    abs = (abs + drop / 2n) / drop; // round half up
  } else if (fractionDigits > decimals) {
    abs = abs * 10n ** BigInt(fractionDigits - decimals);
  }
  const unit = 10n ** BigInt(fractionDigits);
  const whole = groupThousands((abs / unit).toString());
  const frac = fractionDigits > 0 ? "." + (abs % unit).toString().padStart(fractionDigits, "0") : "";
  return `${negative && abs !== 0n ? "−" : ""}${whole}${frac}`;
}

/**
 * A PLC amount (base units) as "1,234.50 PLC". Without `fractionDigits`: 2 decimals, or 4 below
 * 1 PLC, where the payments of small devnet orders live ("0.0270 PLC", not "0.03 PLC").
 */
export function formatPLC(amountWei: bigint, fractionDigits?: number, unit = true): string {
  const abs = amountWei < 0n ? -amountWei : amountWei;
  const digits = fractionDigits ?? (abs !== 0n && abs < PLC_UNIT ? 4 : 2);
  return formatUnitsFixed(amountWei, PLC_DECIMALS, digits) + (unit ? " PLC" : "");
}

/** A price (PLC base units per kWh) as "0.2500 PLC/kWh" (4 decimals: a hundredth of a cent). */
export function formatPricePerKWh(priceWeiPerKWh: bigint | number, unit = true): string {
  return formatUnitsFixed(BigInt(priceWeiPerKWh), PLC_DECIMALS, 4) + (unit ? " PLC/kWh" : "");
}

/** An energy in Wh: "750 Wh" below 1 kWh, "1.500 kWh" from 1 kWh on, "1,250.000 kWh" beyond. */
export function formatEnergy(energyWh: bigint | number): string {
  const wh = BigInt(energyWh);
  const abs = wh < 0n ? -wh : wh;
  if (abs < 1000n) return `${formatUnitsFixed(wh, 0, 0)} Wh`;
  return `${formatUnitsFixed(wh, 3, 3)} kWh`;
}

/** An energy in kWh with 3 decimals, no unit ("1.500"), for aligned table columns. */
export function formatKWh(energyWh: bigint | number): string {
  return formatUnitsFixed(BigInt(energyWh), 3, 3);
}

/** What a bid of `energyWh` at `priceWeiPerKWh` locks: ceil(price × Wh / 1000), as the market computes it. */
export function bidLockWei(priceWeiPerKWh: bigint, energyWh: bigint): bigint {
  return (priceWeiPerKWh * energyWh + 999n) / 1000n;
}

/** What a seller receives for `energyWh` at `priceWeiPerKWh`: floor(price × Wh / 1000). */
export function sellerProceedsWei(priceWeiPerKWh: bigint, energyWh: bigint): bigint {
  return (priceWeiPerKWh * energyWh) / 1000n;
}

export type ParseResult = { ok: true; value: bigint } | { ok: false; error: string };

/**
 * Parse a non-negative decimal number typed by a person into a fixed-point integer with `decimals`
 * decimals. Accepts "1", "1.5", ".5", "1,000.25" (commas as thousands separators); rejects more
 * fraction digits than `decimals`, signs, exponents and anything else.
 */
export function parseDecimal(input: string, decimals: number, what = "amount"): ParseResult {
  const text = input.trim().replace(/[,_\s]/g, "");
  if (text === "") return { ok: false, error: `Enter ${article(what)} ${what}.` };
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[1] === "" && (match[2] ?? "") === "")) {
    return { ok: false, error: `"${input.trim()}" is not a number.` };
  }
  const whole = match[1] === "" ? "0" : match[1];
  const frac = match[2] ?? "";
  if (frac.length > decimals) {
    return {
      ok: false,
      error:
        decimals === 0
          ? `The ${what} must be a whole number.`
          : `The ${what} has at most ${decimals} decimal${decimals === 1 ? "" : "s"}.`,
    };
  }
  const value = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, "0") || "0");
  return { ok: true, value };
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? "an" : "a";
}

/** A PLC amount typed in PLC ("12.5") → base units. */
export function parsePLC(input: string): ParseResult {
  return parseDecimal(input, PLC_DECIMALS, "amount");
}

/** A price typed in PLC/kWh ("0.25") → base units per kWh. */
export function parsePricePerKWh(input: string): ParseResult {
  return parseDecimal(input, PLC_DECIMALS, "price");
}

/** An energy typed in kWh ("1.5", at most 3 decimals = 1 Wh) → Wh. */
export function parseEnergyKWh(input: string): ParseResult {
  return parseDecimal(input, 3, "energy");
}

/** "0x1234…abcd". */
export function shortAddress(address: string): string {
  if (address.length < 12) return address;
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/** A countdown in seconds as "m:ss", or "h:mm:ss" from an hour on; negative → "0:00". */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/**
 * "14:15" for a unix time (seconds), in the viewer's time zone unless `timeZone` is given; with
 * seconds ("14:14:30") when they are not zero, since gate closures rarely fall on a full minute.
 */
export function formatClock(unixSeconds: number | bigint, timeZone?: string): string {
  const seconds = Number(unixSeconds);
  return new Date(seconds * 1000).toLocaleTimeString("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    ...(seconds % 60 !== 0 ? { second: "2-digit" } : {}),
    ...(timeZone ? { timeZone } : {}),
  });
}

/** A delivery window "14:15–14:30" from its start (unix seconds) and length (seconds). */
export function formatWindow(startUnix: number | bigint, lengthSeconds: number | bigint, timeZone?: string): string {
  const start = Number(startUnix);
  return `${formatClock(start, timeZone)}–${formatClock(start + Number(lengthSeconds), timeZone)}`;
}

/** A duration in seconds in words: "15 min", "1 min 30 s", "45 s", "2 h". */
export function formatDuration(seconds: number | bigint): string {
  const s = Number(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

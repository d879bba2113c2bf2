import { describe, expect, it } from "vitest";
import {
  bidLockWei,
  formatClock,
  formatCountdown,
  formatDuration,
  formatEnergy,
  formatKWh,
  formatPLC,
  formatPricePerKWh,
  formatUnitsFixed,
  formatWindow,
  parseEnergyKWh,
  parsePLC,
  parsePricePerKWh,
  sellerProceedsWei,
  shortAddress,
} from "../../lib/format.ts";

describe("format: amounts, prices, energy", () => {
  it("formats PLC amounts with 2 decimals, thousands separators and rounding half up", () => {
    expect(formatPLC(0n)).toBe("0.00 PLC");
    expect(formatPLC(1_234_500_000n)).toBe("1,234.50 PLC");
    expect(formatPLC(1_005_000n)).toBe("1.01 PLC"); // 1.005 → 1.01
    expect(formatPLC(1_004_999n)).toBe("1.00 PLC");
    expect(formatPLC(5_000_000_000_000n, 0)).toBe("5,000,000 PLC");
    expect(formatPLC(123n, 6, false)).toBe("0.000123");
    expect(formatPLC(27_000n)).toBe("0.0270 PLC"); // below 1 PLC: 4 decimals
    expect(formatPLC(-27_000n)).toBe("−0.0270 PLC");
    expect(formatPLC(999_999n)).toBe("1.0000 PLC");
    expect(formatUnitsFixed(-1_500_000n, 6, 2)).toBe("−1.50");
  });

  it("formats prices in PLC/kWh with 4 decimals", () => {
    expect(formatPricePerKWh(250_000)).toBe("0.2500 PLC/kWh");
    expect(formatPricePerKWh(1_000_000n)).toBe("1.0000 PLC/kWh");
    expect(formatPricePerKWh(183_333, false)).toBe("0.1833");
  });

  it("formats energy in Wh below 1 kWh and kWh above", () => {
    expect(formatEnergy(0)).toBe("0 Wh");
    expect(formatEnergy(999)).toBe("999 Wh");
    expect(formatEnergy(1000)).toBe("1.000 kWh");
    expect(formatEnergy(1_250_500n)).toBe("1,250.500 kWh");
    expect(formatKWh(150)).toBe("0.150");
  });

  it("computes a bid's lock (ceil) and a seller's proceeds (floor) like the market", () => {
    expect(bidLockWei(250_000n, 150n)).toBe(37_500n);
    expect(bidLockWei(333_333n, 1n)).toBe(334n); // 333.333 → 334
    expect(sellerProceedsWei(333_333n, 1n)).toBe(333n);
    expect(bidLockWei(0n, 1000n)).toBe(0n);
  });
});

describe("format: parsing what people type", () => {
  it("parses PLC amounts and prices to base units", () => {
    expect(parsePLC("12.5")).toEqual({ ok: true, value: 12_500_000n });
    expect(parsePLC(" 1,000 ")).toEqual({ ok: true, value: 1_000_000_000n });
    expect(parsePLC(".5")).toEqual({ ok: true, value: 500_000n });
    expect(parsePricePerKWh("0.25")).toEqual({ ok: true, value: 250_000n });
    expect(parsePricePerKWh("0.000001")).toEqual({ ok: true, value: 1n });
  });

  it("parses energy typed in kWh to Wh (at most 3 decimals)", () => {
    expect(parseEnergyKWh("1.5")).toEqual({ ok: true, value: 1500n });
    expect(parseEnergyKWh("0.01")).toEqual({ ok: true, value: 10n });
    expect(parseEnergyKWh("0.0005")).toEqual({ ok: false, error: "The energy has at most 3 decimals." });
  });

  it("rejects empty input, signs, exponents and text with a sentence", () => {
    expect(parsePLC("")).toEqual({ ok: false, error: "Enter an amount." });
    expect(parsePricePerKWh("  ")).toEqual({ ok: false, error: "Enter a price." });
    expect(parsePLC("-1")).toEqual({ ok: false, error: '"-1" is not a number.' });
    expect(parsePLC("1e3")).toEqual({ ok: false, error: '"1e3" is not a number.' });
    expect(parsePLC("abc")).toEqual({ ok: false, error: '"abc" is not a number.' });
    expect(parsePLC(".")).toEqual({ ok: false, error: '"." is not a number.' });
    expect(parsePricePerKWh("0.1234567")).toEqual({ ok: false, error: "The price has at most 6 decimals." });
  });
});

describe("format: addresses and time", () => {
  it("shortens addresses", () => {
    expect(shortAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")).toBe("0xf39F…2266");
    expect(shortAddress("0x12")).toBe("0x12");
  });

  it("formats countdowns and durations", () => {
    expect(formatCountdown(0)).toBe("0:00");
    expect(formatCountdown(-5)).toBe("0:00");
    expect(formatCountdown(65.9)).toBe("1:05");
    expect(formatCountdown(3723)).toBe("1:02:03");
    expect(formatDuration(45)).toBe("45 s");
    expect(formatDuration(180)).toBe("3 min");
    expect(formatDuration(90)).toBe("1 min 30 s");
    expect(formatDuration(900n)).toBe("15 min");
    expect(formatDuration(5400)).toBe("1 h 30 min");
  });

  it("formats delivery windows as clock times", () => {
    const start = Date.UTC(2025, 0, 1, 14, 15) / 1000;
    expect(formatWindow(start, 900, "UTC")).toBe("14:15–14:30");
    expect(formatClock(start - 30, "UTC")).toBe("14:14:30"); // seconds only when not on the minute
    expect(formatClock(start, "UTC")).toBe("14:15");
  });
});

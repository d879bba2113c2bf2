import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { JsonFileStore, writeFileAtomic } from "../../lib/channels/store.ts";

interface Rec {
  rev: number;
  value: string;
}
const newer = (a: Rec, b: Rec) => a.rev > b.rev;
const dirs: string[] = [];
function tmpDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "powerlan-store-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("JsonFileStore", () => {
  it("keeps every put across a crash (no close) and a clean reopen", () => {
    const dir = tmpDir();
    const a = new JsonFileStore<Rec>({ dir, isNewer: newer, compactEvery: 3 });
    for (let rev = 1; rev <= 7; rev++) a.put("c1", { rev, value: `v${rev}` });
    a.put("c2", { rev: 1, value: "x" });
    // Simulated crash: no close(). A new process reads snapshot + journal.
    const b = new JsonFileStore<Rec>({ dir, isNewer: newer, readOnly: true });
    expect(b.get("c1")).toEqual({ rev: 7, value: "v7" });
    expect(b.get("c2")).toEqual({ rev: 1, value: "x" });
    a.close();
    expect(fs.readFileSync(a.journalPath, "utf8")).toBe("");
    const c = new JsonFileStore<Rec>({ dir, isNewer: newer });
    expect(c.keys().sort()).toEqual(["c1", "c2"]);
    c.close();
  });

  it("never rolls a record back: stale puts are refused and journal replays are idempotent", () => {
    const dir = tmpDir();
    const s = new JsonFileStore<Rec>({ dir, isNewer: newer });
    expect(s.put("c1", { rev: 5, value: "new" })).toBe(true);
    expect(s.put("c1", { rev: 4, value: "old" })).toBe(false);
    s.compact();
    // A crash between snapshot rename and journal truncation replays lines already in the snapshot.
    fs.appendFileSync(s.journalPath, `${JSON.stringify({ k: "c1", r: { rev: 3, value: "older" } })}\n`);
    const t = new JsonFileStore<Rec>({ dir, isNewer: newer, readOnly: true });
    expect(t.get("c1")).toEqual({ rev: 5, value: "new" });
    s.close();
  });

  it("ignores a torn last journal line but refuses corruption in the middle", () => {
    const dir = tmpDir();
    const s = new JsonFileStore<Rec>({ dir, isNewer: newer });
    s.put("c1", { rev: 1, value: "a" });
    s.put("c1", { rev: 2, value: "b" });
    fs.appendFileSync(s.journalPath, '{"k":"c1","r":{"rev":3,"val');
    expect(new JsonFileStore<Rec>({ dir, isNewer: newer, readOnly: true }).get("c1")).toEqual({ rev: 2, value: "b" });
    fs.appendFileSync(s.journalPath, `\n${JSON.stringify({ k: "c1", r: { rev: 4, value: "d" } })}\n`);
    expect(() => new JsonFileStore<Rec>({ dir, isNewer: newer, readOnly: true })).toThrow(/corrupt line 3/);
  });

  it("a read-only store sees new writes after reload and cannot write", () => {
    const dir = tmpDir();
    const w = new JsonFileStore<Rec>({ dir, isNewer: newer, compactEvery: 2 });
    const r = new JsonFileStore<Rec>({ dir, isNewer: newer, readOnly: true });
    expect(r.get("c1")).toBeUndefined();
    for (let rev = 1; rev <= 5; rev++) w.put("c1", { rev, value: String(rev) });
    r.reload();
    expect(r.get("c1")?.rev).toBe(5);
    expect(() => r.put("c1", { rev: 9, value: "x" })).toThrow(/read-only/);
    w.close();
  });

  it("writeFileAtomic replaces a file in one step", () => {
    const file = path.join(tmpDir(), "sub", "cursor.json");
    writeFileAtomic(file, '{"block":1}');
    writeFileAtomic(file, '{"block":2}');
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({ block: 2 });
    expect(fs.readdirSync(path.dirname(file))).toEqual(["cursor.json"]);
  });
});

describe("JsonFileStore after a crash mid-write", () => {
  it("a writer reopening a journal with a torn tail compacts first, so later puts stay readable", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "powerlan-store-"));
    try {
      const s = new JsonFileStore<Rec>({ dir, isNewer: newer });
      s.put("c1", { rev: 1, value: "a" });
      fs.appendFileSync(s.journalPath, '{"k":"c1","r":{"re');
      const again = new JsonFileStore<Rec>({ dir, isNewer: newer });
      again.put("c1", { rev: 2, value: "b" });
      expect(new JsonFileStore<Rec>({ dir, isNewer: newer, readOnly: true }).get("c1")).toEqual({ rev: 2, value: "b" });
      again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("JsonFileStore.putMany (group commit)", () => {
  it("journals every accepted record in one write before returning, skips stale ones (also within the batch)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "powerlan-store-"));
    try {
      const s = new JsonFileStore<Rec>({ dir, isNewer: newer, fsync: true });
      s.put("c1", { rev: 5, value: "e" });
      const accepted = s.putMany([
        ["c1", { rev: 4, value: "stale" }],
        ["c1", { rev: 6, value: "f" }],
        ["c1", { rev: 7, value: "g" }],
        ["c1", { rev: 7, value: "replayed" }],
        ["c2", { rev: 1, value: "x" }],
      ]);
      expect(accepted).toBe(3);
      expect(s.putMany([["c1", { rev: 2, value: "old" }]])).toBe(0);
      // One journal line per accepted record (the journal keeps every accepted proof), in order.
      const lines = fs.readFileSync(s.journalPath, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as { k: string; r: Rec });
      expect(lines.map((l) => `${l.k}:${l.r.rev}`)).toEqual(["c1:5", "c1:6", "c1:7", "c2:1"]);
      // A crash right after putMany returned (no close): a new process sees the newest records.
      const after = new JsonFileStore<Rec>({ dir, isNewer: newer, readOnly: true });
      expect(after.get("c1")).toEqual({ rev: 7, value: "g" });
      expect(after.get("c2")).toEqual({ rev: 1, value: "x" });
      s.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("compacts when a batch crosses compactEvery, and refuses writes when read-only", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "powerlan-store-"));
    try {
      const s = new JsonFileStore<Rec>({ dir, isNewer: newer, compactEvery: 4 });
      s.putMany([1, 2, 3, 4, 5].map((rev) => ["c1", { rev, value: `v${rev}` }] as const));
      expect(fs.readFileSync(s.journalPath, "utf8")).toBe("");
      expect(new JsonFileStore<Rec>({ dir, isNewer: newer, readOnly: true }).get("c1")?.rev).toBe(5);
      const r = new JsonFileStore<Rec>({ dir, isNewer: newer, readOnly: true });
      expect(() => r.putMany([["c1", { rev: 9, value: "x" }]])).toThrow(/read-only/);
      s.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

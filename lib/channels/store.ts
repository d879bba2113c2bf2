/**
 * Durable JSON file store for channel states (Node only).
 *
 * Layout in `dir`:
 *   <name>.json      snapshot: { version: 1, records: { [key]: record } }, replaced atomically
 *                    (write <name>.json.tmp, fsync, rename over <name>.json, fsync the directory)
 *   <name>.journal   JSON lines appended since the snapshot: {"k": key, "r": record}
 *
 * Every `put` appends one line to the journal with a single write(2) before it returns, so an update
 * survives a crash of the process the moment `put` returns (the kernel has it). `putMany` is a group
 * commit: the lines of all its records in ONE write(2) (and one fdatasync with `fsync: true`) before it
 * returns — a payee acknowledging a batch of payments after `putMany` has every one of them in the
 * journal, at one system call per batch instead of one per payment. With
 * `fsync: true` each put also fdatasyncs the journal, so it survives a power loss too — at about
 * 0.2–0.5 ms per put. Every `compactEvery` puts (and on `close`), the whole map is written as a new
 * snapshot (temp + rename, atomic) and the journal is emptied. On open, the snapshot is read and
 * the journal replayed; a torn last line (crash mid-write) is ignored.
 *
 * Replays are idempotent: a record replaces the stored one only if `isNewer(candidate, stored)`
 * (for channels: a higher nonce), so replaying a journal that is already in the snapshot (crash
 * between rename and truncate) changes nothing, and a stale write can never roll a channel back.
 */
import fs from "node:fs";
import path from "node:path";

export interface JsonFileStoreOptions<T> {
  /** Directory for the snapshot and the journal (created if missing). */
  dir: string;
  /** File base name (default "channels"). */
  name?: string;
  /** fdatasync the journal on every put (power-loss safe, slower). Default false. */
  fsync?: boolean;
  /** Rewrite the snapshot after this many puts (default 1000; 1 = snapshot on every put). */
  compactEvery?: number;
  /** Whether `candidate` should replace `current` (default: always). */
  isNewer?: (candidate: T, current: T) => boolean;
  /** Open for reading only (a watchtower reading a client's store); see `reload`. */
  readOnly?: boolean;
}

interface Snapshot<T> {
  version: 1;
  records: Record<string, T>;
}

export class JsonFileStore<T> {
  readonly snapshotPath: string;
  readonly journalPath: string;
  private readonly records = new Map<string, T>();
  private readonly fsync: boolean;
  private readonly compactEvery: number;
  private readonly isNewer: (candidate: T, current: T) => boolean;
  private journalFd: number | null = null;
  private putsSinceSnapshot = 0;

  constructor(options: JsonFileStoreOptions<T>) {
    const name = options.name ?? "channels";
    fs.mkdirSync(options.dir, { recursive: true });
    this.snapshotPath = path.join(options.dir, `${name}.json`);
    this.journalPath = path.join(options.dir, `${name}.journal`);
    this.fsync = options.fsync ?? false;
    this.compactEvery = Math.max(1, options.compactEvery ?? 1000);
    this.isNewer = options.isNewer ?? (() => true);
    this.load();
    if (!options.readOnly) {
      this.journalFd = fs.openSync(this.journalPath, "a");
      // A torn tail from a crash must not glue onto the next line: start from a clean snapshot.
      if (this.tornTail) this.compact();
    }
  }

  private tornTail = false;

  /** Read snapshot and journal again (records only move forward, see `isNewer`). */
  reload(): void {
    this.load();
  }

  private load(): void {
    this.putsSinceSnapshot = 0;
    if (fs.existsSync(this.snapshotPath)) {
      const snapshot = JSON.parse(fs.readFileSync(this.snapshotPath, "utf8")) as Snapshot<T>;
      if (snapshot.version !== 1) throw new Error(`${this.snapshotPath}: unknown store version ${String(snapshot.version)}`);
      for (const [key, record] of Object.entries(snapshot.records)) this.apply(key, record);
    }
    if (!fs.existsSync(this.journalPath)) return;
    const text = fs.readFileSync(this.journalPath, "utf8");
    this.tornTail = text.length > 0 && !text.endsWith("\n");
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line === "") continue;
      let entry: { k: string; r: T };
      try {
        entry = JSON.parse(line) as { k: string; r: T };
      } catch (error) {
        // Only the last line can be torn by a crash; anything else is corruption.
        if (lines.slice(i + 1).every((l) => l === "")) break;
        throw new Error(`${this.journalPath}: corrupt line ${i + 1}: ${(error as Error).message}`, { cause: error });
      }
      this.apply(entry.k, entry.r);
      this.putsSinceSnapshot++;
    }
  }

  private apply(key: string, record: T): boolean {
    const current = this.records.get(key);
    if (current !== undefined && !this.isNewer(record, current)) return false;
    this.records.set(key, record);
    return true;
  }

  get(key: string): T | undefined {
    return this.records.get(key);
  }

  has(key: string): boolean {
    return this.records.has(key);
  }

  keys(): string[] {
    return [...this.records.keys()];
  }

  values(): T[] {
    return [...this.records.values()];
  }

  /**
   * Store `record` under `key` durably (see the file comment). Returns false (and writes nothing)
   * when the stored record is newer.
   */
  put(key: string, record: T): boolean {
    if (this.journalFd === null) throw new Error("store is closed or read-only");
    if (!this.apply(key, record)) return false;
    writeAll(this.journalFd, `${JSON.stringify({ k: key, r: record })}\n`);
    if (this.fsync) fs.fdatasyncSync(this.journalFd);
    if (++this.putsSinceSnapshot >= this.compactEvery) this.compact();
    return true;
  }

  /**
   * Group commit: store every record that is newer than what is stored (earlier entries of the same
   * call included) with ONE journal write (and one fdatasync with `fsync: true`) before returning —
   * each accepted record is a line of the journal, exactly as with one `put` per record. Returns how
   * many were accepted. The in-memory map changes only after the write succeeded.
   */
  putMany(entries: Iterable<readonly [string, T]>): number {
    if (this.journalFd === null) throw new Error("store is closed or read-only");
    const accepted = new Map<string, T>();
    let lines = "";
    let count = 0;
    for (const [key, record] of entries) {
      const current = accepted.get(key) ?? this.records.get(key);
      if (current !== undefined && !this.isNewer(record, current)) continue;
      accepted.set(key, record);
      lines += `${JSON.stringify({ k: key, r: record })}\n`;
      count++;
    }
    if (count === 0) return 0;
    writeAll(this.journalFd, lines);
    if (this.fsync) fs.fdatasyncSync(this.journalFd);
    for (const [key, record] of accepted) this.records.set(key, record);
    this.putsSinceSnapshot += count;
    if (this.putsSinceSnapshot >= this.compactEvery) this.compact();
    return count;
  }

  /** Write the snapshot atomically and empty the journal. */
  compact(): void {
    const snapshot: Snapshot<T> = { version: 1, records: Object.fromEntries(this.records) };
    const tmp = `${this.snapshotPath}.tmp`;
    const fd = fs.openSync(tmp, "w");
    try {
      fs.writeSync(fd, JSON.stringify(snapshot));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.snapshotPath);
    fsyncDir(path.dirname(this.snapshotPath));
    if (this.journalFd !== null) {
      fs.ftruncateSync(this.journalFd, 0);
      if (this.fsync) fs.fdatasyncSync(this.journalFd);
    }
    this.putsSinceSnapshot = 0;
  }

  /** Snapshot and release the journal. Idempotent. */
  close(): void {
    if (this.journalFd === null) return; // closed already, or read-only
    this.compact();
    fs.closeSync(this.journalFd);
    this.journalFd = null;
  }
}

/** Write all of `text` at the end of the (append-mode) file `fd`, looping over short writes. */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

/** Write `text` to `file` atomically (temp file + fsync + rename). For small state files (cursors). */
export function writeFileAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

/**
 * A ChannelStateStore for the browser: records live in `localStorage` (one key per channel), so a
 * household's latest both-signed states survive a page reload. Writes are refused when the stored
 * record is newer (another tab moved on), exactly like the Node file store.
 */
import type { ChannelRecord, ChannelStateStore } from "./client.ts";

const PREFIX = "powerlan.channels.";

export class LocalStorageChannelStore implements ChannelStateStore {
  private readonly storage: Storage;
  private readonly prefix: string;

  constructor(storage: Storage = globalThis.localStorage, namespace = "") {
    this.storage = storage;
    this.prefix = `${PREFIX}${namespace ? `${namespace}.` : ""}`;
  }

  get(key: string): ChannelRecord | undefined {
    const text = this.storage.getItem(this.prefix + key);
    return text ? (JSON.parse(text) as ChannelRecord) : undefined;
  }

  put(key: string, record: ChannelRecord): boolean {
    const current = this.get(key);
    if (current && current.rev >= record.rev) return false;
    this.storage.setItem(this.prefix + key, JSON.stringify(record));
    return true;
  }

  values(): ChannelRecord[] {
    const out: ChannelRecord[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const k = this.storage.key(i);
      if (k?.startsWith(this.prefix)) {
        const record = this.get(k.slice(this.prefix.length));
        if (record) out.push(record);
      }
    }
    return out;
  }
}

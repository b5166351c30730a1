/**
 * The browser's Storage (localStorage), in memory, for the tests of the plain modules that keep
 * things on the phone (the outboxes, the kept copies). Only what they use.
 */
export class MemoryStorage {
  map = new Map<string, string>();
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
  key(index: number) {
    return [...this.map.keys()][index] ?? null;
  }
  get length() {
    return this.map.size;
  }
}

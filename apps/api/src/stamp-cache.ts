/**
 * Results keyed on the store's change stamp: a table or a listing is computed once per change of
 * the store and then served from memory, so fifty readers of a 100,000-fold store cost one read.
 */
export class StampCache<V> {
  private stamp = '';
  private readonly entries = new Map<string, V>();

  constructor(private readonly maxEntries = 128) {}

  get(stamp: string, key: string, compute: () => V): V {
    if (stamp !== this.stamp) {
      this.entries.clear();
      this.stamp = stamp;
    }
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Re-insert: the map's order is the eviction order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = compute();
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}

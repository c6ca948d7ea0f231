// Objects keyed by data (column names, event values, JSON keys): a file may name a column "__proto__" or an event
// "constructor", so keys are written as own properties and read only when own, never through the prototype.

/** `obj[key] = value` as an own property, also for "__proto__" (a plain assignment would replace the prototype). */
export function putKey<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `obj[key]` when it is `obj`'s own property, else undefined ("constructor" must not find Object.prototype's). */
export function ownKey<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/**
 * Defaults the library hands out are frozen all the way down: an app changes a default by passing a prop, never by
 * editing the shared object (which would change every construct of the process, other teams' included).
 */

/** Read-only all the way down, as the value `deepFreeze` returns is at run time. */
export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** Freezes an object and everything it holds (arrays and plain objects), and returns it. */
export function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value as DeepReadonly<T>;
}

/** True when `a` (a layer's shape, `null` for a free dimension) is exactly the shape `b`. */
export const sameShape = (
  a: readonly (number | null)[] | undefined,
  b: readonly number[],
): boolean => a !== undefined && a.length === b.length && a.every((d, i) => d === b[i]);

// The benchmarks' median: the middle value of a run's figures (the upper one of an even count).

/** The median of `xs` (the upper middle of an even count); `xs` is left as it was. */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

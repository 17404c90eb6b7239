import type { ColumnOptions, ValueTransformer } from "typeorm";

/**
 * mysql2 hands BIGINT back as a string (to keep precision); every bigint we store is a token count
 * or an epoch-millisecond time, both far below 2^53, so they are read back as plain numbers.
 */
const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};

/** Times are epoch milliseconds: portable across SQLite and MySQL, no time-zone conversion anywhere. */
export const timeColumn = (options: ColumnOptions = {}): ColumnOptions => ({
  type: "bigint",
  transformer: bigintAsNumber,
  ...options,
});

export const tokensColumn = (options: ColumnOptions = {}): ColumnOptions => ({
  type: "bigint",
  transformer: bigintAsNumber,
  ...options,
});

/** JSON kept as text, so both databases store it the same way. */
export const jsonColumn = (options: ColumnOptions = {}): ColumnOptions => ({
  type: "simple-json",
  ...options,
});

/** Slack IDs (workspace, user, channel) are short ASCII strings. */
export const slackIdColumn = (options: ColumnOptions = {}): ColumnOptions => ({
  type: "varchar",
  length: 32,
  ...options,
});

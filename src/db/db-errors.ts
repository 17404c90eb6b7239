/**
 * Recognising database errors by kind, on both drivers. TypeORM wraps driver errors in a
 * QueryFailedError whose `driverError` carries the code.
 */
interface DriverError {
  code?: string;
  errno?: number;
  message?: string;
}

function driverError(error: unknown): DriverError {
  if (typeof error !== "object" || error === null) return {};
  const inner = (error as { driverError?: DriverError }).driverError;
  return inner ?? (error as DriverError);
}

/** A unique index refused the row (a concurrent create of the same name, a second owner, …). */
export function isUniqueViolation(error: unknown): boolean {
  const { code } = driverError(error);
  return (
    code === "ER_DUP_ENTRY" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY"
  );
}

/** A foreign key refused the change (a row still referenced, or a reference to a missing row). */
export function isForeignKeyViolation(error: unknown): boolean {
  const { code, message = "" } = driverError(error);
  return (
    code === "ER_ROW_IS_REFERENCED_2" ||
    code === "ER_NO_REFERENCED_ROW_2" ||
    code === "ER_ROW_IS_REFERENCED" ||
    code === "SQLITE_CONSTRAINT_FOREIGNKEY" ||
    // SQLite reports an ON DELETE RESTRICT refusal as a trigger constraint.
    (code === "SQLITE_CONSTRAINT_TRIGGER" && message.includes("FOREIGN KEY"))
  );
}

/** The database gave up on this transaction but a retry can succeed. */
export function isRetryable(error: unknown): boolean {
  const { code } = driverError(error);
  return (
    code === "ER_LOCK_DEADLOCK" ||
    code === "ER_LOCK_WAIT_TIMEOUT" ||
    code === "SQLITE_BUSY" ||
    code === "SQLITE_BUSY_SNAPSHOT"
  );
}

/** InnoDB gave up waiting for a row lock another transaction holds. */
export function isLockWaitTimeout(error: unknown): boolean {
  return driverError(error).code === "ER_LOCK_WAIT_TIMEOUT";
}

/** Another connection (another process) holds SQLite's write lock. */
export function isSqliteLocked(error: unknown): boolean {
  return driverError(error).code === "SQLITE_BUSY";
}

export function isConnectionFailure(error: unknown): boolean {
  const { code } = driverError(error);
  return (
    code === "ECONNREFUSED" ||
    code === "ECONNRESET" ||
    code === "ETIMEDOUT" ||
    code === "PROTOCOL_CONNECTION_LOST" ||
    code === "ER_CON_COUNT_ERROR" ||
    code === "SQLITE_CANTOPEN"
  );
}

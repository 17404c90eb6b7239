/**
 * Domain errors. Services throw them; one place per surface turns them into what the user sees
 * (an ephemeral sentence, modal field errors, an HTTP status). Every message is one sentence that
 * says what was wrong and how to do it right.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** The input the error is about, when there is one (a modal block, an API body field). */
  readonly field?: string;

  constructor(message: string, field?: string) {
    super(message);
    this.name = new.target.name;
    this.field = field;
  }
}

export class InvalidInput extends DomainError {
  readonly code = "invalid_input";
}

export class NotFound extends DomainError {
  readonly code = "not_found";
}

export class Forbidden extends DomainError {
  readonly code = "forbidden";

  constructor(
    message: string,
    /** The permission the actor lacks, when one would have allowed it. */
    readonly permission?: string,
  ) {
    super(message);
  }
}

export class Conflict extends DomainError {
  readonly code = "conflict";
}

export class LimitExceeded extends DomainError {
  readonly code = "limit_exceeded";
}

/** The database could not be reached or kept failing; the user should simply try again. */
export class Unavailable extends DomainError {
  readonly code = "unavailable";
}

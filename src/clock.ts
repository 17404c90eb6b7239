/** Time as the services see it; tests and the scheduler swap in a controllable one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  constructor(private current: number = Date.UTC(2026, 0, 5, 9, 0, 0)) {}

  now(): number {
    return this.current;
  }

  set(time: number | Date): void {
    this.current = typeof time === "number" ? time : time.getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

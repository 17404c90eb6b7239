import type { ApiArgs, ApiResult } from "./stand-in-args";

export interface StandInFault {
  /** 429 is how Slack rate-limits (with Retry-After); 5xx is an outage. */
  status?: number;
  /** Answer 200 { ok: false, error } instead of running the method. */
  error?: string;
  /** Seconds in the Retry-After header of a 429; Slack always sends one. */
  retryAfter?: number;
  /** Hold the answer this long (alone: then answer normally), to exercise timeouts. */
  hangMs?: number;
  /**
   * Run the method first, then answer with the fault: Slack did the work but the answer was lost
   * (a 5xx from a proxy, a dropped connection), the case that makes a blind retry post twice.
   */
  afterRunning?: boolean;
}

export interface StandInCall {
  method: string;
  /** The decoded arguments, JSON-encoded fields parsed back; the token is never recorded. */
  args: ApiArgs;
  /** Epoch milliseconds. */
  at: number;
  status: number;
  result?: ApiResult;
  fault?: StandInFault;
}

export interface StandInResponse {
  url: string;
  body: unknown;
  at: number;
  status: number;
}

/** What the stand-in saw, in order, plus the faults queued for the next calls. */
export class StandInRecorder {
  readonly calls: StandInCall[] = [];
  readonly responses: StandInResponse[] = [];
  private readonly faults = new Map<string, StandInFault[]>();
  private readonly callListeners = new Set<(call: StandInCall) => void>();
  private readonly responseListeners = new Set<(response: StandInResponse) => void>();
  private readonly hanging = new Set<() => void>();

  failNext(key: string, fault: StandInFault, times: number): void {
    const queue = this.faults.get(key) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(fault);
    this.faults.set(key, queue);
  }

  takeFault(key: string): StandInFault | undefined {
    return this.faults.get(key)?.shift();
  }

  recordCall(call: StandInCall): void {
    this.calls.push(call);
    for (const listener of this.callListeners) listener(call);
  }

  recordResponse(response: StandInResponse): void {
    this.responses.push(response);
    for (const listener of this.responseListeners) listener(response);
  }

  onCall(listener: (call: StandInCall) => void): () => void {
    this.callListeners.add(listener);
    return () => this.callListeners.delete(listener);
  }

  onResponse(listener: (response: StandInResponse) => void): () => void {
    this.responseListeners.add(listener);
    return () => this.responseListeners.delete(listener);
  }

  clear(): void {
    this.calls.length = 0;
    this.responses.length = 0;
    this.faults.clear();
  }

  /** A hang that stop() can cut short, so a test never waits on a server that is gone. */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.hanging.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      this.hanging.add(release);
    });
  }

  releaseHangs(): void {
    for (const release of this.hanging) release();
  }
}

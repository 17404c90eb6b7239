import { connect, createServer, type Server, type Socket } from "node:net";

interface Pair {
  client: Socket;
  upstream: Socket;
}

/**
 * A TCP proxy between the app and a server it depends on (the database, Slack) that a test can
 * break the ways networks break: `cut` resets every open connection and refuses new ones, as when
 * the host goes down, until `restore`; `freeze` makes the network silent, as in a partition
 * (nothing flows, new connections are accepted and never answered, nobody is told), until `thaw`.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<Pair>();
  private readonly held: Socket[] = [];
  private frozen = false;
  private boundPort = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** Starts listening on a free port (or the port it had, after a cut); resolves with it. */
  async start(): Promise<number> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.boundPort, "127.0.0.1", () => resolve());
    });
    this.server = server;
    const address = server.address();
    if (typeof address === "object" && address) this.boundPort = address.port;
    return this.boundPort;
  }

  /** Resets every open connection and refuses new ones until `restore`. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = server && new Promise<void>((resolve) => server.close(() => resolve()));
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    this.pairs.clear();
    for (const client of this.held.splice(0)) client.resetAndDestroy();
    this.frozen = false;
    await closed;
  }

  async restore(): Promise<void> {
    if (!this.server) await this.start();
  }

  freeze(): void {
    this.frozen = true;
    for (const { client, upstream } of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Lets traffic flow again after freeze (nothing if not frozen: piping twice would double it). */
  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    for (const { client, upstream } of this.pairs) {
      client.pipe(upstream);
      upstream.pipe(client);
    }
    for (const client of this.held.splice(0)) this.accept(client);
  }

  async stop(): Promise<void> {
    await this.cut();
  }

  private accept(client: Socket): void {
    // A reset is what this proxy is for; the other side sees it, nobody needs the error here.
    client.on("error", () => undefined);
    if (this.frozen) {
      this.held.push(client);
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    upstream.on("error", () => undefined);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", close);
    upstream.on("close", close);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

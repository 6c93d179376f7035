/**
 * A lean HTTP/1.1 keep-alive client for load generation: one socket per client, one request
 * at a time, the request written as one string and the response framed by Content-Length
 * (what the service sends). It spends a fraction of node:http's CPU per request, so on a
 * small machine the benchmark's own client takes less of the cores the service is measured
 * on. Not a general client: no chunked bodies, no redirects; a response it cannot frame fails.
 */
import net from 'node:net';

export interface LeanResponse {
  status: number;
  body: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');

export class LeanConnection {
  private readonly socket: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: LeanResponse) => void; reject: (e: Error) => void } | undefined;
  private failed: Error | undefined;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.tryParse();
    });
    const fail = (err: Error) => {
      this.failed ??= err;
      this.waiting?.reject(err);
      this.waiting = undefined;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static open(host: string, port: number): Promise<LeanConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port }, () => resolve(new LeanConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Send one request (`head` without the final blank line) and read its response. */
  send(method: string, path: string, headers: string, body: string): Promise<LeanResponse> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.waiting) return Promise.reject(new Error('one request at a time'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(
        `${method} ${path} HTTP/1.1\r\n${headers}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private tryParse(): void {
    if (!this.waiting) return;
    const end = this.buffer.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.buffer.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
    if (!Number.isInteger(status) || length === undefined) {
      const err = new Error(`cannot frame the response: ${head.split('\r\n')[0]}`);
      this.failed = err;
      this.waiting.reject(err);
      this.waiting = undefined;
      return;
    }
    const total = end + HEADER_END.length + Number(length);
    if (this.buffer.length < total) return;
    const body = this.buffer.subarray(end + HEADER_END.length, total);
    this.buffer = this.buffer.subarray(total);
    const { resolve } = this.waiting;
    this.waiting = undefined;
    resolve({ status, body });
  }
}

/**
 * An MCP transport to a server started as a child process over stdio, with the SDK's own line
 * framing. Unlike the SDK's StdioClientTransport it reports how the child ended (the proxy exits
 * with the child's code) and lets the caller choose the whole environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface ChildServer {
  command: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where the child's stderr goes (default: this process's stderr). */
  stderr?: 'inherit' | 'ignore';
}

export class ChildProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Called once when the child has exited: its code, or 128 + the signal's number when killed. */
  onexit?: (code: number) => void;
  private child?: ChildProcess;
  private readonly buffer = new ReadBuffer();

  constructor(private readonly server: ChildServer) {}

  start(): Promise<void> {
    if (this.child) throw new Error('ChildProcessTransport already started');
    return new Promise((resolve, reject) => {
      const child = spawn(this.server.command, this.server.args ?? [], {
        env: this.server.env,
        cwd: this.server.cwd,
        stdio: ['pipe', 'pipe', this.server.stderr ?? 'inherit'],
        shell: false,
        windowsHide: true,
      });
      this.child = child;
      child.once('error', (err) => {
        reject(err);
        this.onerror?.(err);
      });
      child.once('spawn', () => resolve());
      child.once('close', (code, signal) => {
        this.onexit?.(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1));
        this.onclose?.();
      });
      child.stdin!.on('error', (err) => this.onerror?.(err));
      child.stdout!.on('data', (chunk: Buffer) => {
        this.buffer.append(chunk);
        for (;;) {
          let message: JSONRPCMessage | null;
          try {
            message = this.buffer.readMessage();
          } catch (err) {
            this.onerror?.(err as Error);
            continue;
          }
          if (message === null) break;
          this.onmessage?.(message);
        }
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || stdin.destroyed) return reject(new Error('the MCP server process is not running'));
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** Ends the child's stdin (a well-behaved server exits), then terminates it if it lingers. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGTERM'), 2_000);
    const hardTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    clearTimeout(hardTimer);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }
}

/**
 * Runs a Markdown page's shell examples as a reader would: every ```sh block, in order, in one
 * bash session (variables set by one block are there for the next). Inside a block, a comment line
 * `# → TEXT` states what the block prints: the block's output must contain TEXT, where `…` stands
 * for any run of characters. A block right after `<!-- doc-test: skip -->` is not run.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface DocBlock {
  /** 1-based line of the opening fence, for messages. */
  line: number;
  code: string;
  /** The `# →` lines: what the output must contain. */
  expects: string[];
}

export function shellBlocks(markdown: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```sh') continue;
    const skip = lines.slice(0, i).reverse().find((l) => l.trim() !== '')?.trim() === '<!-- doc-test: skip -->';
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== '```'; i++) body.push(lines[i]!);
    if (skip) continue;
    const expects = body.flatMap((l) => {
      const m = /^\s*# → (.+)$/.exec(l);
      return m ? [m[1]!.trim()] : [];
    });
    blocks.push({ line: start + 1, code: body.join('\n'), expects });
  }
  return blocks;
}

/** TEXT with `…` as a wildcard, as a regular expression. */
export function expectationPattern(text: string): RegExp {
  return new RegExp(text.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*?'));
}

export interface BlockResult {
  block: DocBlock;
  output: string;
  exitCode: number;
}

/** One bash process that runs blocks one after another and reports each block's output and status. */
export class DocShell {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private waiter: (() => void) | null = null;
  private n = 0;

  constructor(options: { cwd: string; env: Record<string, string | undefined> }) {
    this.child = spawn('bash', ['--noprofile', '--norc'], { cwd: options.cwd, env: options.env as NodeJS.ProcessEnv, stdio: 'pipe' });
    const take = (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      this.waiter?.();
    };
    this.child.stdout.on('data', take);
    this.child.stderr.on('data', take);
  }

  async run(block: DocBlock, timeoutMs = 60_000): Promise<BlockResult> {
    const marker = `@@doc-block-${++this.n}@@`;
    this.buffer = '';
    // The block runs in a group so its heredocs and pipes parse as written, with stderr merged into
    // stdout so messages keep their order; its status follows the marker.
    this.child.stdin.write(`{\n${block.code}\n} 2>&1\necho "${marker} $?"\n`);
    const deadline = Date.now() + timeoutMs;
    const pattern = new RegExp(`${marker} (\\d+)\\n`);
    for (;;) {
      const m = pattern.exec(this.buffer);
      if (m) return { block, output: this.buffer.slice(0, m.index), exitCode: Number(m[1]) };
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the block at line ${block.line} did not finish; output so far:\n${this.buffer}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}

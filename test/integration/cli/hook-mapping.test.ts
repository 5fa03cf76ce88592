/** The pure mapping from Claude Code tool calls to Warden actions, table-driven. */
import { describe, expect, it } from 'vitest';
import { mapClaudeToolCall } from '../../../electron/cli/hook.js';

const base = { session_id: 'sess-1', cwd: '/repo' };

describe('mapClaudeToolCall', () => {
  it.each([
    ['Bash', { command: 'ls -la', description: 'list', timeout: 1000 }, 'shell.exec', { command: 'ls -la', description: 'list' }],
    ['Write', { file_path: '/repo/a.ts', content: 'abc' }, 'fs.write', { path: '/repo/a.ts', content_length: 3 }],
    ['Edit', { file_path: '/repo/a.ts', old_string: 'x', new_string: 'y' }, 'fs.write', { path: '/repo/a.ts' }],
    ['MultiEdit', { file_path: '/repo/a.ts', edits: [{}, {}, {}] }, 'fs.write', { path: '/repo/a.ts', edits: 3 }],
    ['NotebookEdit', { notebook_path: '/repo/analysis.ipynb', cell_id: 'c1', new_source: 'print(1)', edit_mode: 'replace' }, 'fs.write', { path: '/repo/analysis.ipynb', content_length: 8 }],
    ['Read', { file_path: '/repo/README.md' }, 'fs.read', { path: '/repo/README.md' }],
    ['Glob', { pattern: '**/*.ts' }, 'fs.read', { path: null, pattern: '**/*.ts' }],
    ['Grep', { pattern: 'TODO', path: 'src' }, 'fs.read', { path: 'src', pattern: 'TODO' }],
    ['WebFetch', { url: 'https://x.test/a', prompt: 'p' }, 'http.request', { url: 'https://x.test/a', method: 'GET' }],
    ['mcp__github__create_issue', { title: 't' }, 'mcp.github.create_issue', { title: 't' }],
    ['mcp__claude_ai_Gmail__search', { q: 'x' }, 'mcp.claude_ai_Gmail.search', { q: 'x' }],
    ['TodoWrite', { todos: [] }, 'claude.TodoWrite', { todos: [] }],
    ['Task', { prompt: 'do it' }, 'claude.Task', { prompt: 'do it' }],
  ])('%s → its Warden tool and args', (tool_name, tool_input, tool, args) => {
    const action = mapClaudeToolCall({ ...base, tool_name, tool_input });
    expect(action).toEqual({ tool, args: { ...args, claude_tool: tool_name, cwd: '/repo' }, mission_id: 'sess-1' });
  });

  it('file contents never travel; every other string goes whole; odd characters in tool names are replaced', () => {
    const huge = 'x'.repeat(100_000);
    const write = mapClaudeToolCall({ ...base, tool_name: 'Write', tool_input: { file_path: '/a', content: huge } });
    expect(JSON.stringify(write).length).toBeLessThan(500);
    const command = `npm test${' '.repeat(4000)}; rm -rf ~ ${huge}`;
    expect(mapClaudeToolCall({ ...base, tool_name: 'Bash', tool_input: { command } }).args!.command).toBe(command);
    const deep = { a: { b: { c: { d: { e: { f: { g: { h: 'deep' } } } } } } }, list: Array.from({ length: 150 }, (_, i) => i) };
    expect(mapClaudeToolCall({ ...base, cwd: `/${huge}`, tool_name: 'mcp__s__t', tool_input: deep }).args).toEqual({ ...deep, claude_tool: 'mcp__s__t', cwd: `/${huge}` });
    expect(mapClaudeToolCall({ ...base, tool_name: 'mcp__my server__do it!', tool_input: {} }).tool).toBe('mcp.my_server.do_it_');
  });

  it('a tool name or session id over the API limits is refused, never shortened', () => {
    expect(() => mapClaudeToolCall({ ...base, tool_name: `mcp__s__${'t'.repeat(200)}`, tool_input: {} })).toThrow('tool name mcp.s.ttt');
    expect(() => mapClaudeToolCall({ ...base, session_id: 's'.repeat(101), tool_name: 'Read', tool_input: {} })).toThrow('session_id is longer than 100 characters');
  });

  it('without a session or cwd the action has neither; without tool_name it throws', () => {
    expect(mapClaudeToolCall({ tool_name: 'Read', tool_input: { file_path: '/a' } })).toEqual({ tool: 'fs.read', args: { path: '/a', claude_tool: 'Read' } });
    expect(() => mapClaudeToolCall({ tool_input: {} })).toThrow('hook input has no tool_name');
    expect(mapClaudeToolCall({ tool_name: 'Bash', tool_input: 'not an object' }).args).toEqual({ command: undefined, claude_tool: 'Bash' });
  });
});

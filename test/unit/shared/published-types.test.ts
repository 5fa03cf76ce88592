/**
 * The vocabulary's event types are what Warden publishes, and its audit event types what it
 * writes: found by the TypeScript type checker at every call of `EventBus.publish` and
 * `AuditService.append` in electron/ (no pattern over the source text): a type nobody publishes
 * any more fails here, and one published but left out of the list does not compile (the last
 * test holds both signatures to that). Slower than a unit test usually is: it builds the node
 * project's program once.
 */
import { join, resolve, sep } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditService } from '../../../electron/audit/service.js';
import type { EventBus } from '../../../electron/events/bus.js';
import * as vocabulary from '../../../shared/vocabulary.js';

/** Warden's own sources (electron/), compiled with the node project's options, with a type checker. */
function electronProgram(): { program: ts.Program; checker: ts.TypeChecker; root: string } {
  const root = join(import.meta.dirname, '../../..');
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.node.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error('cannot read tsconfig.node.json');
  const electron = join(root, 'electron') + sep;
  const program = ts.createProgram({ rootNames: parsed.fileNames.filter((f) => resolve(f).startsWith(electron)), options: { ...parsed.options, noEmit: true } });
  return { program, checker: program.getTypeChecker(), root };
}

/**
 * The string literal types a value of `type` can have: a union's members, a type parameter's
 * constraint. Anything wider (a plain string) is named in angle brackets, so the lists below
 * never match it.
 */
function literalsOf(checker: ts.TypeChecker, type: ts.Type): string[] {
  const base = type.flags & ts.TypeFlags.TypeParameter ? (checker.getBaseConstraintOfType(type) ?? type) : type;
  return (base.isUnion() ? base.types : [base]).map((t) => (t.isStringLiteral() ? t.value : `<${checker.typeToString(t)}>`));
}

/**
 * What Warden publishes on its bus and writes to its audit log, read by the type checker at
 * every call of `EventBus.publish` and `AuditService.append` (whatever the receiver is called or
 * how the call is laid out): the type of the event type given, as a literal or the union a
 * helper passes on.
 */
const METHOD_NAMES = new Set(['publish', 'append']);

function publishedTypes(): { published: Set<string>; audited: Set<string>; calls: { publish: number; append: number } } {
  const { program, checker, root } = electronProgram();
  const method = (file: string, cls: string, name: string): ts.Node => {
    const source = program.getSourceFile(join(root, file));
    const klass = source?.statements.find((n): n is ts.ClassDeclaration => ts.isClassDeclaration(n) && n.name?.text === cls);
    const found = klass?.members.find((m) => ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === name);
    if (!found) throw new Error(`${cls}.${name} not found in ${file}`);
    return found;
  };
  const publish = method('electron/events/bus.ts', 'EventBus', 'publish');
  const append = method('electron/audit/service.ts', 'AuditService', 'append');
  const published = new Set<string>();
  const audited = new Set<string>();
  const calls = { publish: 0, append: 0 };
  const electron = join(root, 'electron') + sep;
  for (const source of program.getSourceFiles()) {
    if (!resolve(source.fileName).startsWith(electron)) continue;
    const visit = (node: ts.Node): void => {
      // Only calls of a method named publish or append are resolved: resolving every call costs seconds.
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.arguments.length > 0 && METHOD_NAMES.has(node.expression.name.text)) {
        const declaration = checker.getResolvedSignature(node)?.declaration;
        const arg = node.arguments[0]!;
        if (declaration === publish) {
          calls.publish++;
          for (const t of literalsOf(checker, checker.getTypeAtLocation(arg))) published.add(t);
        } else if (declaration === append) {
          calls.append++;
          const field = checker.getTypeAtLocation(arg).getProperty('event_type');
          const types = field ? literalsOf(checker, checker.getTypeOfSymbolAtLocation(field, arg)) : ['<no event_type>'];
          for (const t of types) audited.add(t);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { published, audited, calls };
}

describe('published event types and written audit event types', () => {
  let found: ReturnType<typeof publishedTypes>;
  beforeAll(() => {
    found = publishedTypes();
  }, 180_000);

  it('every event type is published somewhere, and nothing else is', () => {
    expect(found.calls.publish).toBeGreaterThan(0);
    expect([...found.published].sort()).toEqual([...vocabulary.EVENT_TYPES].sort());
  });

  it('every audit event type is written somewhere, and nothing else is', () => {
    expect(found.calls.append).toBeGreaterThan(0);
    expect([...found.audited].sort()).toEqual([...vocabulary.AUDIT_EVENT_TYPES].sort());
  });

  it('a publish or an audit row outside the vocabulary does not compile', () => {
    const never = (fn: () => void) => fn;
    never(() => {
      const bus = null as unknown as EventBus;
      // @ts-expect-error an event type the vocabulary does not have
      bus.publish('made.up', {});
      const audit = null as unknown as AuditService;
      // @ts-expect-error an audit event type the vocabulary does not have
      audit.append({ event_type: 'made.up', actor: 'system' });
    });
  });
});

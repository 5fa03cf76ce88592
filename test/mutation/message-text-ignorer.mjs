// A Stryker ignore plugin: human-readable message text is not behaviour. Mutants inside the
// wording of a decision's `detail` / `explanation`, or of an error message, change what a person
// reads, never what Warden decides; tests must not pin wording, so these mutants are left out.
// The same for the reasons shell.ts collects for an unsafe command (`reasons.push(text)`).
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const MESSAGE_KEYS = new Set(['detail', 'explanation']);
/** Callees whose arguments (from the given index on) only build an error message. */
const MESSAGE_CALLS = new Map([
  ['Error', 0],
  ['invalid', 1],
  ['conflict', 0],
  ['notFound', 0],
  ['HttpError', 2],
]);

const keyName = (key) => (key.type === 'Identifier' ? key.name : key.type === 'StringLiteral' ? key.value : undefined);
const calleeName = (callee) => (callee.type === 'Identifier' ? callee.name : undefined);

function shouldIgnore(path) {
  const { node, parent, key, listKey } = path;
  if (!parent) return undefined;
  if (parent.type === 'ObjectProperty' && key === 'value' && MESSAGE_KEYS.has(keyName(parent.key))) {
    return 'message text: the wording of a decision detail or explanation';
  }
  if (parent.type === 'VariableDeclarator' && key === 'init' && parent.id.type === 'Identifier' && MESSAGE_KEYS.has(parent.id.name)) {
    return 'message text: the wording of a decision detail or explanation';
  }
  if (parent.type === 'AssignmentExpression' && key === 'right' && parent.left.type === 'Identifier' && MESSAGE_KEYS.has(parent.left.name)) {
    return 'message text: the wording of a decision explanation';
  }
  // `reasons.push(text)` in shell.ts: any reason makes a command unsafe; the text only says why.
  if (
    parent.type === 'CallExpression' &&
    listKey === 'arguments' &&
    parent.callee.type === 'MemberExpression' &&
    parent.callee.object.type === 'Identifier' &&
    parent.callee.object.name === 'reasons' &&
    parent.callee.property.type === 'Identifier' &&
    parent.callee.property.name === 'push'
  ) {
    return 'message text: the wording of why a shell command is unsafe (any reason makes it unsafe)';
  }
  if ((parent.type === 'NewExpression' || parent.type === 'CallExpression') && listKey === 'arguments') {
    const from = MESSAGE_CALLS.get(calleeName(parent.callee));
    if (from !== undefined && typeof key === 'number' && key >= from && node.type !== 'SpreadElement') {
      return 'message text: the wording of an error message';
    }
  }
  return undefined;
}

export const strykerPlugins = [declareValuePlugin(PluginKind.Ignore, 'message-text', { shouldIgnore })];

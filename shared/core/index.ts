/** The pure decision core: types, the evaluator and its parts. */
export * from './types.js';
export { evaluate, failClosed, killSwitchGate, mostCautious, cautionOf, DEFAULT_SETTINGS, type Gate } from './evaluate.js';
export { compileGuardrails, candidateRules, evaluateGuardrails } from './guardrails.js';
export { compileGuard, guardError, parseComparison, compare, ExprError } from './expr.js';
export { evaluateToolAccess, hostMatches, hostsInArgs } from './tool-access.js';
export { findGrant, argsMatch } from './grants.js';
export { globMatch } from './glob.js';
export { grantCovers, grantLive, normalizePath, PATH_KEYS, SHELL_TOOL } from './grants.js';
export { analyzeShell, commandStartsWith, wordsMatch, type ShellAnalysis, type ShellCommand } from './shell.js';
export { selfProtection, type BuiltinRule } from './self-protection.js';
export { actionParts, guardrailsLayer } from './compound.js';
export { globError, MAX_GLOB_LENGTH, MAX_GLOB_STARS } from './glob.js';
export { blockSentence, checkGate, gateKey, gateResourcesOf, gatesLayer, mcpServerOf, type GateCheck, type GateResource } from './gates.js';

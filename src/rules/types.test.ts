/**
 * Message data is typed per message: these lines must compile, and the `@ts-expect-error` ones must
 * not (tsc fails the build when an expected error goes away).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDockerfile } from '../dockerfile/parser.js';
import { checkSource } from '../check/engine.js';
import { defineRule, type Placeholders, type ReportDescriptor, type Rule, type RuleContext } from './types.js';

const messages = {
  pinned: '--platform={value} builds this stage as {platform} for every target',
  plain: 'no placeholders here',
  twice: '{name} and {name} again',
} as const;
type M = typeof messages;

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const placeholders: [
  Equal<Placeholders<M['pinned']>, 'value' | 'platform'>,
  Equal<Placeholders<M['plain']>, never>,
  Equal<Placeholders<M['twice']>, 'name'>,
  Equal<Placeholders<'${name} is empty: stage {stage}'>, 'name' | 'stage'>,
  Equal<Placeholders<'{ not one } and {}'>, never>,
  Equal<Placeholders<string>, string>,
  // only what the engine fills (`{` word characters `}`): `{a-b}` and `{a.b}` stay text
  Equal<Placeholders<'{a-b} and {a.b} and {a b}'>, never>,
  Equal<Placeholders<'{x{y} {a_1} {Z9}'>, 'y' | 'a_1' | 'Z9'>,
  Equal<Placeholders<'{a-b}{c}'>, 'c'>,
] = [true, true, true, true, true, true, true, true, true];

const range = parseDockerfile('FROM a\n').instructions[0]!.range;
export const reports: ReportDescriptor<M>[] = [
  { messageId: 'pinned', range, data: { value: 'linux/amd64', platform: 'linux/amd64' } },
  { messageId: 'plain', range },
  { messageId: 'twice', range, data: { name: 1 } },
  // @ts-expect-error a misspelt placeholder
  { messageId: 'pinned', range, data: { valeu: 'x', platform: 'y' } },
  // @ts-expect-error a missing placeholder
  { messageId: 'pinned', range, data: { value: 'x' } },
  // @ts-expect-error a key the message does not have
  { messageId: 'twice', range, data: { name: 'x', extra: 'y' } },
  // @ts-expect-error data for a message without placeholders
  { messageId: 'plain', range, data: { value: 'x' } },
  // @ts-expect-error an unknown message id
  { messageId: 'pined', range, data: { value: 'x', platform: 'y' } },
];

/** A type argument may still be a union of message ids (data then unchecked), for Rule as for RuleContext. */
export type ById = Rule<'a' | 'b'>;
export type ContextById = RuleContext<'a'>;
export const byId: ById = defineRule<'a' | 'b'>({
  meta: { id: 'AA902', name: 'by-id', title: 'Message ids without typed data', severity: 'info', description: 'test', related: [], fixable: false },
  messages: { a: 'a {x}', b: 'b' },
  check(model, ctx) {
    ctx.report({ messageId: 'a', range: model.file.instructions[0]!.range, data: { x: 1 } });
    // @ts-expect-error an id the type argument does not name
    if (model.stages.length > 99) ctx.report({ messageId: 'c', range: model.file.instructions[0]!.range });
  },
});
export const asRule: Rule = byId;

test('defineRule infers the message ids and data from messages written inline', () => {
  const rule = defineRule({
    meta: { id: 'AA901', name: 'typed-messages', title: 'Typed message data in a test', severity: 'info', description: 'test', related: [], fixable: false },
    messages: { hello: 'hello {who}' },
    check(model, ctx) {
      ctx.report({ messageId: 'hello', range: model.file.instructions[0]!.range, data: { who: 'world' } });
      // @ts-expect-error `who` is required
      if (model.stages.length > 99) ctx.report({ messageId: 'hello', range: model.file.instructions[0]!.range, data: {} });
    },
  });
  const r = checkSource('FROM alpine\n', 'Dockerfile', { rules: [rule] });
  assert.deepEqual(r.findings.map((f) => f.message), ['hello world']);
  assert.deepEqual(placeholders, [true, true, true, true, true, true, true, true, true]);
  assert.equal(reports.length, 8);
});

test('the engine fills exactly the placeholders the type names', () => {
  const rule = defineRule({
    meta: { id: 'AA905', name: 'placeholder-shapes', title: 'Placeholders of every shape in a test', severity: 'info', description: 'test', related: [], fixable: false },
    messages: { shapes: '{a-b} {a.b} {x{y} {a_1}' },
    check(model, ctx) {
      ctx.report({ messageId: 'shapes', range: model.file.instructions[0]!.range, data: { y: 'Y', a_1: 'A' } });
    },
  });
  const r = checkSource('FROM alpine\n', 'Dockerfile', { rules: [rule] });
  assert.deepEqual(r.findings.map((f) => f.message), ['{a-b} {a.b} {xY A']);
});

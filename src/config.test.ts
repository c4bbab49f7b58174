import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findConfig, loadConfig, parseConfig } from './config.js';
import { AnyarchError } from './errors.js';
import { formatPlatform } from './platform/index.js';
import { defineRule, type Rule } from './rules/types.js';

const RULES: Rule[] = [
  defineRule({
    meta: { id: 'AA901', name: 'first-test-rule', title: 't', severity: 'warning', description: 'd', related: [], fixable: false },
    messages: { m: 'm' },
    check() {},
  }),
  defineRule({
    meta: { id: 'AA902', name: 'second-test-rule', title: 't', severity: 'error', description: 'd', related: [], fixable: false },
    messages: { m: 'm' },
    check() {},
  }),
];

function tmp(): string {
  return realpathSync(mkdtempSync(path.join(tmpdir(), 'anyarch-config-')));
}

function configError(text: string): AnyarchError {
  try {
    parseConfig(text, '/p/.anyarch.yaml', { rules: RULES, displayPath: '.anyarch.yaml' });
  } catch (e) {
    assert.ok(e instanceof AnyarchError, String(e));
    assert.equal(e.code, 'E_CONFIG');
    return e;
  }
  assert.fail('expected an E_CONFIG error');
}

describe('parseConfig', () => {
  test('reads every setting', () => {
    const c = parseConfig(
      [
        'platforms: [linux/amd64, linux/arm64, linux/arm/v7]',
        'rules:',
        '  AA901: off',
        '  second-test-rule: info',
        'ignore: [vendor/, "**/testdata/**"]',
        'fixStyle: detect',
        'failOn: warning',
        '',
      ].join('\n'),
      '/p/.anyarch.yaml',
      { rules: RULES },
    );
    assert.deepEqual(c.platforms?.map(formatPlatform), ['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
    assert.deepEqual(c.rules, { AA901: 'off', AA902: 'info' });
    assert.deepEqual(c.ignore, ['vendor/', '**/testdata/**']);
    assert.equal(c.fixStyle, 'detect');
    assert.equal(c.failOn, 'warning');
    assert.equal(c.file, path.resolve('/p/.anyarch.yaml'));
    assert.equal(c.dir, path.resolve('/p'));
  });

  test('a single platform says single-architecture on purpose', () => {
    const c = parseConfig('platforms: [linux/amd64]\n', '/p/.anyarch.yaml', { rules: RULES });
    assert.deepEqual(c.platforms?.map(formatPlatform), ['linux/amd64']);
    const s = parseConfig('platforms: linux/amd64,linux/arm64\n', '/p/.anyarch.yaml', { rules: RULES });
    assert.equal(s.platforms?.length, 2);
  });

  test('an empty file or comments only: no settings', () => {
    const c = parseConfig('# nothing yet\n', '/p/.anyarch.yaml', { rules: RULES });
    assert.equal(c.platforms, undefined);
    assert.equal(c.rules, undefined);
    assert.equal(parseConfig('', '/p/.anyarch.yaml', { rules: RULES }).failOn, undefined);
  });

  test('an unknown key names the file, line and key', () => {
    const e = configError('platforms: [linux/amd64]\nfailure-threshold: error\n');
    assert.match(e.message, /unknown key "failure-threshold"/);
    assert.deepEqual(e.location, { file: '.anyarch.yaml', line: 2, column: 1 });
    assert.match(e.describe(), /^\.anyarch\.yaml:2:1: unknown key "failure-threshold"/);
    assert.match(e.hint ?? '', /failOn/);
    assert.match(configError('fixstyle: detect\n').hint ?? '', /fixStyle/);
    assert.match(configError('platfroms: [linux/amd64]\n').hint ?? '', /platforms/);
  });

  test('a bad severity names the line', () => {
    const e = configError('rules:\n  AA901: warn\n');
    assert.match(e.message, /rules\.AA901: "warn" is not one of off, info, warning, error/);
    assert.equal(e.location?.line, 2);
    assert.equal(e.location?.column, 10);
  });

  test('an unknown rule names the line', () => {
    const e = configError('rules:\n  AA901: off\n  AA999: error\n');
    assert.match(e.message, /unknown rule "AA999"/);
    assert.equal(e.location?.line, 3);
  });

  test('bad platforms, failOn, fixStyle and shapes', () => {
    const p = configError('platforms: [linux/amd64, linux/bogus]\n');
    assert.match(p.message, /^platforms: .*bogus/);
    assert.equal(p.location?.line, 1);
    assert.equal(p.location?.column, 26);
    assert.match(configError('platforms: []\n').message, /at least one platform/);
    assert.match(configError('failOn: style\n').message, /failOn: "style" is not one of error, warning, info, never/);
    assert.match(configError('fixStyle: 3\n').message, /fixStyle: 3 is not one of targetarch, detect/);
    assert.match(configError('ignore: {a: 1}\n').message, /ignore must be a list of strings/);
    assert.match(configError('rules: [AA901]\n').message, /rules must be a mapping/);
    assert.match(configError('- linux/amd64\n').message, /must be a mapping/);
  });

  test('YAML syntax errors and duplicate keys have positions', () => {
    const e = configError('platforms: [linux/amd64\nrules: {}\n');
    assert.match(e.message, /^invalid YAML/);
    assert.ok(e.location?.line);
    const d = configError('failOn: info\nfailOn: error\n');
    assert.match(d.message, /invalid YAML/);
    assert.equal(d.location?.line, 2);
  });
});

describe('parseConfig: nesting the YAML parser cannot take', () => {
  // the parser recurses per level: thousands of levels overflowed its stack, and 5,000 `- `
  // aborted the whole process (V8 out of memory compiling a regular expression), uncatchable
  test('deep flow brackets, sequences and mappings are one E_CONFIG line at the place', () => {
    const flow = configError('platforms: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n');
    assert.match(flow.message, /^nested deeper than anyarch reads a config \(brackets nested past 64 levels\)/);
    assert.deepEqual([flow.location?.line, flow.location?.column], [1, 11 + 65]);
    const dashes = configError('platforms:\n' + '- '.repeat(5000) + 'x\n');
    assert.match(dashes.message, /indented past 256 columns/);
    assert.equal(dashes.location?.line, 2);
    const maps = configError('a:\n' + Array.from({ length: 3000 }, (_, i) => ' '.repeat(i + 1) + `k${i}:`).join('\n') + ' x\n');
    assert.match(maps.message, /indented past 256 columns/);
    assert.equal(maps.location?.line, 258);
    // an escaped backslash closes its string: what follows is counted
    const escaped = configError('x: "\\\\"\ny: ' + '['.repeat(20000) + ']'.repeat(20000) + '\n');
    assert.match(escaped.message, /^nested deeper than anyarch reads a config/);
    assert.equal(escaped.location?.line, 2);
  });

  test('brackets inside quotes and comments, and apostrophes in plain words, do not count', () => {
    const deepText = '['.repeat(100);
    const c = parseConfig(
      `# ${deepText}\nplatforms: [linux/amd64, 'linux/arm64'] # don't ${deepText}\nignore: ["${deepText}", '${deepText}', don't]\n`,
      'x.yaml',
    );
    assert.deepEqual(c.platforms?.map(formatPlatform), ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(c.ignore, [deepText, deepText, "don't"]);
    // exactly at the limit the YAML is read, and judged as a config
    assert.match(configError('ignore: ' + '['.repeat(64) + 'x' + ']'.repeat(64) + '\n').message, /each entry of ignore must be a string/);
    assert.match(configError('ignore:\n' + ' '.repeat(250) + '- - - x\n').message, /each entry of ignore must be a string/);
  });
});

describe('loadConfig', () => {
  test('reads a file', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, '.anyarch.yaml'), 'failOn: error\n');
    const c = await loadConfig(path.join(dir, '.anyarch.yaml'), { rules: RULES });
    assert.equal(c.failOn, 'error');
    assert.equal(c.dir, dir);
  });

  test('a missing file is E_CONFIG', async () => {
    await assert.rejects(loadConfig(path.join(tmp(), 'nope.yaml')), (e: unknown) => {
      assert.ok(e instanceof AnyarchError);
      assert.equal(e.code, 'E_CONFIG');
      assert.match(e.message, /no such file/);
      return true;
    });
  });
});

describe('findConfig', () => {
  test('finds .anyarch.yaml in a parent, up to the git root', async () => {
    const root = tmp();
    mkdirSync(path.join(root, 'repo', '.git'), { recursive: true });
    mkdirSync(path.join(root, 'repo', 'a', 'b'), { recursive: true });
    writeFileSync(path.join(root, 'repo', '.anyarch.yaml'), '');
    writeFileSync(path.join(root, '.anyarch.yaml'), ''); // above the git root: never used
    assert.equal(await findConfig(path.join(root, 'repo', 'a', 'b')), path.join(root, 'repo', '.anyarch.yaml'));
    writeFileSync(path.join(root, 'repo', 'a', '.anyarch.yml'), '');
    assert.equal(await findConfig(path.join(root, 'repo', 'a', 'b')), path.join(root, 'repo', 'a', '.anyarch.yml'));
  });

  test('does not search above the git root', async () => {
    const root = tmp();
    mkdirSync(path.join(root, 'repo', '.git'), { recursive: true });
    writeFileSync(path.join(root, '.anyarch.yaml'), '');
    assert.equal(await findConfig(path.join(root, 'repo')), undefined);
  });

  test('outside a git work tree only the start directory counts', async () => {
    const root = tmp();
    mkdirSync(path.join(root, 'sub'));
    writeFileSync(path.join(root, '.anyarch.yaml'), '');
    assert.equal(await findConfig(path.join(root, 'sub')), undefined);
    assert.equal(await findConfig(root), path.join(root, '.anyarch.yaml'));
  });

  test('.yaml wins over .yml in the same directory', async () => {
    const root = tmp();
    writeFileSync(path.join(root, '.anyarch.yml'), '');
    writeFileSync(path.join(root, '.anyarch.yaml'), '');
    assert.equal(await findConfig(root), path.join(root, '.anyarch.yaml'));
  });
});

describe('parseConfig: verify', () => {
  test('reads verify.allow entries', () => {
    const c = parseConfig("verify:\n  allow:\n    - path: 'usr/aarch64-linux-gnu/**'\n      reason: the arm64 cross toolchain\n    - { path: /opt/testdata, reason: fixtures }\n", '/p/.anyarch.yaml', { rules: RULES });
    assert.deepEqual(c.verify, {
      allow: [
        { path: 'usr/aarch64-linux-gnu/**', reason: 'the arm64 cross toolchain' },
        { path: '/opt/testdata', reason: 'fixtures' },
      ],
    });
  });
  test('unknown keys, missing reasons and bad shapes are errors at their line', () => {
    assert.match(configError('verify:\n  alow: []\n').describe(), /:2:3: verify: unknown key "alow"/);
    assert.match(configError('verify:\n  alow: []\n').hint ?? '', /Did you mean allow\?/);
    assert.match(configError('verify:\n  allow:\n    - path: x\n      resaon: y\n').describe(), /:4:7: verify.allow: unknown key "resaon"/);
    assert.match(configError('verify:\n  allow:\n    - path: x\n').describe(), /:3:7: each verify.allow entry needs a path and a reason/);
    assert.match(configError('verify:\n  allow: x\n').describe(), /verify.allow must be a list/);
    assert.match(configError('verify: [1]\n').describe(), /verify must be a mapping/);
    assert.match(configError('verify:\n  allow:\n    - { path: /, reason: r }\n').describe(), /below the root/);
  });
});

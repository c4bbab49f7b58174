import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAnyarchError } from '../errors.js';
import { splitBom } from '../dockerfile/text.js';
import { MAX_INPUT_BYTES, decodeDockerfile, dockerfileText, firstInvalidUtf8 } from './input.js';

const enc = new TextEncoder();

test('UTF-8 text decodes, BOM kept for the parser to strip', () => {
  assert.equal(decodeDockerfile(enc.encode('FROM alpine\n'), 'D'), 'FROM alpine\n');
  assert.equal(decodeDockerfile(new Uint8Array([0xef, 0xbb, 0xbf, 0x46]), 'D'), '\ufeffF');
});

test('binary file: NUL byte with its position', () => {
  assert.throws(
    () => decodeDockerfile(new Uint8Array([0x46, 0x0a, 0x41, 0x00]), 'bin'),
    (e) => isAnyarchError(e) && e.code === 'E_INPUT' && e.describe() === 'bin:2:2: binary file (NUL byte): not a Dockerfile',
  );
});

test('invalid UTF-8 with its position', () => {
  const bytes = new Uint8Array([...enc.encode('FROM a\nRUN '), 0xc3, 0x28]);
  assert.equal(firstInvalidUtf8(bytes), 11);
  assert.throws(() => decodeDockerfile(bytes, 'x'), (e) => isAnyarchError(e) && e.describe().startsWith('x:2:5: invalid UTF-8'));
  assert.equal(firstInvalidUtf8(enc.encode('ok é ✓ 😀')), enc.encode('ok é ✓ 😀').length);
  assert.equal(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80])), 0, 'surrogates are invalid');
  assert.equal(firstInvalidUtf8(new Uint8Array([0xe2, 0x82])), 0, 'truncated sequence');
});

test('UTF-16 and oversize files', () => {
  assert.throws(() => decodeDockerfile(new Uint8Array([0xff, 0xfe, 0x46, 0x00]), 'u16'), /UTF-16/);
  assert.throws(() => decodeDockerfile(new Uint8Array(MAX_INPUT_BYTES + 1), 'big'), /MiB/);
});

test('the byte order mark is split off in one place: the text positions refer to, and the mark to write back', () => {
  assert.deepEqual(splitBom('\ufeffFROM a\n'), { bom: '\ufeff', source: 'FROM a\n' });
  assert.deepEqual(splitBom('FROM a\n'), { bom: '', source: 'FROM a\n' });
  assert.deepEqual(splitBom('FROM \ufeff'), { bom: '', source: 'FROM \ufeff' }); // only a leading mark
  assert.deepEqual(dockerfileText(new Uint8Array([0xef, 0xbb, 0xbf, 0x46]), 'D'), { bom: '\ufeff', source: 'F' });
  assert.deepEqual(dockerfileText(enc.encode('FROM a'), 'D'), { bom: '', source: 'FROM a' });
  assert.throws(() => dockerfileText(new Uint8Array([0x46, 0x00]), 'D'), (e) => isAnyarchError(e) && e.code === 'E_INPUT');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseShell } from '../../dockerfile/shell.js';
import { commandKind, onlyNames } from './command-kind.js';

const first = (text: string) => {
  const cmd = parseShell(text).commands[0];
  assert.ok(cmd, text);
  return cmd;
};

test('fetchers, installers and unpackers', () => {
  for (const t of ['curl -fsSLO https://x/y-amd64.tgz', 'wget -q https://x', 'sudo curl -o a https://x', 'git clone https://x/r.git']) assert.equal(commandKind(first(t)), 'fetch', t);
  for (const t of ['apt-get install -y foo:amd64', 'apk add curl', 'pip install x', 'npm install -g y', 'go install example.com/x@latest', 'dpkg -i /tmp/a_amd64.deb', 'rpm -Uvh a.x86_64.rpm', 'install -m 755 a /b']) assert.equal(commandKind(first(t)), 'install', t);
  for (const t of ['tar -xzf a-amd64.tgz', 'tar xzf a.tgz', 'tar --extract -f a.tgz', 'unzip a.zip']) assert.equal(commandKind(first(t)), 'unpack', t);
});

test('commands that only name things', () => {
  for (const t of ['rm -f go1.22.linux-amd64.tar.gz', 'ls /opt/x86_64', 'test -f a-amd64.zip', '[ -e a-amd64.zip ]', 'echo "amd64 only"', 'printf "%s\\n" x86_64', 'mkdir -p /opt/amd64', 'chmod +x /usr/local/bin/a-amd64', 'sha256sum -c SHA256SUMS', 'grep linux-amd64 SHA256SUMS', 'echo "abc  a-amd64.tgz" > SHA256SUMS', 'dpkg --print-architecture']) {
    assert.ok(onlyNames(first(t)), t);
  }
});

test('writing into a file or doing work is not only naming', () => {
  for (const t of ['echo /usr/lib/x86_64-linux-gnu > /etc/ld.so.conf.d/x.conf', 'cp a-amd64 /usr/local/bin/a', 'ln -s /opt/a-amd64 /usr/local/bin/a', 'tar -czf out.tgz dir', './configure', 'go build ./...']) {
    assert.ok(!onlyNames(first(t)), t);
  }
});

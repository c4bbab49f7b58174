import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseShell, wordsOf, MAX_DEPTH, type Branch, type ShellScript, type SimpleCommand } from './shell.js';

/** parses and checks the invariants every result must keep */
function parse(text: string, opts?: { escape?: '\\' | '`' }): ShellScript {
  const r = parseShell(text, opts);
  let previous = -1;
  for (const c of r.commands) {
    assert.ok(c.start >= previous, `commands in source order at ${c.start}`);
    previous = c.start;
    assert.ok(c.start <= c.end);
    for (const w of [...c.assignments, ...c.words, ...c.redirects]) {
      assert.equal(text.slice(w.start, w.end), w.raw, `offsets of ${JSON.stringify(w.raw)}`);
      assert.ok(w.start >= c.start && w.end <= c.end, `word ${JSON.stringify(w.raw)} inside its command`);
    }
  }
  return r;
}

function values(c: SimpleCommand | undefined): string[] {
  assert.ok(c, 'command exists');
  return c.words.map((w) => w.value);
}

/** the first command whose first word (or first assignment) value is `name` */
function find(r: ShellScript, name: string): SimpleCommand {
  const c = r.commands.find((x) => x.words[0]?.value === name || (x.words.length === 0 && x.assignments[0]?.value.startsWith(name)));
  assert.ok(c, `command ${name} found`);
  return c;
}

function caseBranch(b: Branch | undefined): Extract<Branch, { kind: 'case' }> {
  assert.ok(b && b.kind === 'case', `a case branch, got ${b?.kind}`);
  return b;
}

function condBranch(b: Branch | undefined, kind: 'if' | 'elif' | 'else' | 'while' | 'and' | 'or'): Exclude<Branch, { kind: 'case' }> {
  assert.ok(b && b.kind !== 'case' && b.kind === kind, `a ${kind} branch, got ${b?.kind}`);
  return b;
}

describe('architecture idioms of install scripts', () => {
  test('dpkg arch case with a literal URL download per branch', () => {
    const text = [
      'set -eu;',
      'cpu="$(dpkg --print-architecture)"; cpu="${cpu##*-}";',
      'case "$cpu" in',
      "  'amd64') curl -fsSL -o tool.tgz 'https://downloads.example.org/tool/2.4.0/tool-2.4.0-linux-amd64.tgz' ;;",
      "  'arm64') wget -O tool.tgz 'https://downloads.example.org/tool/2.4.0/tool-2.4.0-linux-arm64.tgz' ;;",
      "  *) echo >&2 \"no tool build for '$cpu'\"; exit 1 ;;",
      'esac;',
      'tar -C /opt -xzf tool.tgz',
    ].join('\n');
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    const curl = find(r, 'curl');
    assert.equal(curl.branches.length, 1);
    const b = caseBranch(curl.branches[0]);
    assert.deepEqual(b.patterns, ['amd64']);
    assert.equal(b.subject.value, '$cpu');
    assert.equal(b.subject.raw, '"$cpu"');
    assert.equal(b.subject.quoted, true);
    assert.equal(curl.words[4]?.value, 'https://downloads.example.org/tool/2.4.0/tool-2.4.0-linux-amd64.tgz');
    const wget = find(r, 'wget');
    assert.deepEqual(caseBranch(wget.branches[0]).patterns, ['arm64']);
    const exit = find(r, 'exit');
    assert.deepEqual(caseBranch(exit.branches[0]).patterns, ['*']);
    const echo = find(r, 'echo');
    assert.deepEqual(echo.redirects.map((w) => w.value), ['>&2']);
    assert.deepEqual(values(echo), ['echo', "no tool build for '$cpu'"]);
    assert.deepEqual(find(r, 'tar').branches, []);
    const dpkg = find(r, 'dpkg');
    assert.equal(dpkg.substitution, true);
    assert.equal(dpkg.parent?.assignments[0]?.raw, 'cpu="$(dpkg --print-architecture)"');
  });

  test('one line: URL and checksum assignments per branch, the download after esac', () => {
    const text =
      "cpu=\"$(dpkg --print-architecture)\"; cpu=\"${cpu##*-}\"; src=; case \"$cpu\" in 'amd64') src='https://downloads.example.org/tool/2.4.0/tool-linux-x64.tgz'; sum='9f1e'; ;; 'armhf') src='https://downloads.example.org/tool/2.4.0/tool-linux-armv7.tgz'; sum='77ab'; ;; *) echo >&2 \"tool: $cpu is not supported\"; exit 1 ;; esac; curl -fL -o tool.tgz \"$src\" --progress-bar";
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    const srcs = r.commands.filter((c) => c.assignments[0]?.value.startsWith('src=https'));
    assert.equal(srcs.length, 2);
    assert.deepEqual(caseBranch(srcs[0]?.branches[0]).patterns, ['amd64']);
    assert.deepEqual(caseBranch(srcs[1]?.branches[0]).patterns, ['armhf']);
    const sum = r.commands.find((c) => c.assignments[0]?.raw === "sum='77ab'");
    assert.deepEqual(caseBranch(sum?.branches[0]).patterns, ['armhf']);
    const curl = find(r, 'curl');
    assert.deepEqual(curl.branches, []);
    assert.deepEqual(values(curl), ['curl', '-fL', '-o', 'tool.tgz', '$src', '--progress-bar']);
  });

  test("export of several quoted NAME='value' words inside a branch", () => {
    const text =
      "case \"$TARGETARCH\" in 'amd64') export CARGO_TARGET='x86_64-unknown-linux-gnu' CC='gcc' ;; 'arm64') export CARGO_TARGET='aarch64-unknown-linux-gnu' CC='aarch64-linux-gnu-gcc' STRIP='aarch64-linux-gnu-strip' ;; esac";
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    const exports = r.commands.filter((c) => c.words[0]?.value === 'export');
    assert.equal(exports.length, 2);
    const arm = exports[1];
    assert.deepEqual(values(arm), ['export', 'CARGO_TARGET=aarch64-unknown-linux-gnu', 'CC=aarch64-linux-gnu-gcc', 'STRIP=aarch64-linux-gnu-strip']);
    assert.deepEqual(arm?.assignments, []);
    assert.equal(arm?.words[1]?.raw, "CARGO_TARGET='aarch64-unknown-linux-gnu'");
    assert.equal(arm?.words[1]?.quoted, true);
    assert.deepEqual(caseBranch(arm?.branches[0]).patterns, ['arm64']);
  });

  test("a && chain mapping \"${debArch##*-}\" to a vendor word: amd64) JDK_ARCH='x64';; …", () => {
    const text =
      'JDK_ARCH= && debArch="$(dpkg --print-architecture)" \\\n    && case "${debArch##*-}" in \\\n      amd64) JDK_ARCH=\'x64\';; \\\n      arm64) JDK_ARCH=\'aarch64\';; \\\n      ppc64el) JDK_ARCH=\'ppc64le\';; \\\n      s390x) JDK_ARCH=\'s390x\';; \\\n      *) echo "no JDK for this architecture"; exit 1 ;; \\\n    esac \\\n    && curl -fsSLO --compressed "https://downloads.example.org/jdk/$JDK_VERSION/jdk-$JDK_VERSION-linux-$JDK_ARCH.tar.gz"';
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    const x64 = r.commands.find((c) => c.assignments[0]?.raw === "JDK_ARCH='x64'");
    assert.ok(x64);
    assert.equal(x64.assignments[0]?.value, 'JDK_ARCH=x64');
    assert.equal(x64.branches.length, 2, 'and (after JDK_ARCH= && debArch=…) then case');
    assert.equal(x64.branches[0]?.kind, 'and');
    const b = caseBranch(x64.branches[1]);
    assert.deepEqual(b.patterns, ['amd64']);
    assert.equal(b.subject.value, '${debArch##*-}');
    assert.equal(b.subject.raw, '"${debArch##*-}"');
    const curl = find(r, 'curl');
    assert.equal(curl.branches.length, 1);
    const and = condBranch(curl.branches[0], 'and');
    assert.ok(and.condition.some((c) => c.assignments[0]?.raw === "JDK_ARCH='x64'"));
    assert.ok(!curl.branches.some((x) => x.kind === 'case'));
    assert.equal(curl.words[3]?.value, 'https://downloads.example.org/jdk/$JDK_VERSION/jdk-$JDK_VERSION-linux-$JDK_ARCH.tar.gz');
  });

  test('apk arch: several assignments in one branch, the download under an if', () => {
    const text =
      'muslArch="$(apk --print-arch)" && case "${muslArch##*-}" in x86_64) PKG_ARCH=\'amd64\' PKG_SUM="e3b0" PKG_LIBC=musl;; aarch64) PKG_LIBC=musl;; *) ;; esac && if [ -n "${PKG_SUM}" ]; then wget -q "https://downloads.example.org/agent/v$AGENT_VERSION/agent-$AGENT_VERSION-$PKG_LIBC-$PKG_ARCH.tar.gz"; fi';
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    const x86 = r.commands.find((c) => c.assignments.length === 3);
    assert.deepEqual(x86?.assignments.map((w) => w.value), ['PKG_ARCH=amd64', 'PKG_SUM=e3b0', 'PKG_LIBC=musl']);
    assert.deepEqual(caseBranch(x86?.branches[1]).patterns, ['x86_64']);
    const wget = find(r, 'wget');
    const kinds = wget.branches.map((b) => b.kind);
    assert.deepEqual(kinds, ['and', 'if']);
    const cond = condBranch(wget.branches[1], 'if').condition;
    assert.deepEqual(values(cond[0]), ['[', '-n', '${PKG_SUM}', ']']);
  });

  test("if [ \"$debArch\" = 'riscv64' ]; then apt-get install -y libatomic1; fi", () => {
    const text = "debArch=\"$(dpkg --print-architecture)\"; if [ \"$debArch\" = 'riscv64' ]; then apt-get install -y libatomic1; fi; make check";
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    const apt = find(r, 'apt-get');
    assert.deepEqual(values(apt), ['apt-get', 'install', '-y', 'libatomic1']);
    assert.equal(apt.branches.length, 1);
    const b = condBranch(apt.branches[0], 'if');
    assert.equal(b.condition.length, 1);
    assert.deepEqual(values(b.condition[0]), ['[', '$debArch', '=', 'riscv64', ']']);
    assert.deepEqual(find(r, '[').branches, [], 'the condition itself is unconditional');
    assert.deepEqual(find(r, 'make').branches, []);
  });

  test("an optional configure flag: $(test \"${hostTriplet%%-*}\" != 's390x' && echo '--enable-jit')", () => {
    const text =
      'hostTriplet="$(dpkg-architecture --query DEB_HOST_GNU_TYPE)"; ./configure --host="$hostTriplet" --prefix=/opt/app $(test "${hostTriplet%%-*}" != \'s390x\' && echo \'--enable-jit\') --disable-docs';
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    const configure = find(r, './configure');
    assert.equal(configure.substitution, false);
    assert.equal(configure.words[3]?.value, "$(test \"${hostTriplet%%-*}\" != 's390x' && echo '--enable-jit')");
    assert.equal(configure.words[4]?.value, '--disable-docs');
    const t = find(r, 'test');
    assert.equal(t.substitution, true);
    assert.equal(t.parent, configure);
    assert.deepEqual(values(t), ['test', '${hostTriplet%%-*}', '!=', 's390x']);
    const echo = find(r, 'echo');
    assert.equal(echo.substitution, true);
    assert.equal(echo.parent, configure);
    assert.deepEqual(values(echo), ['echo', '--enable-jit']);
    assert.equal(echo.branches.length, 1);
    const and = condBranch(echo.branches[0], 'and');
    assert.deepEqual(and.condition, [t]);
    assert.equal(text.slice(echo.start, echo.end), "echo '--enable-jit'");
    // order: the configure command precedes the commands of its substitution
    assert.ok(r.commands.indexOf(configure) < r.commands.indexOf(t));
  });

  test("a pipeline in an assignment: debArch=\"$(dpkg --print-architecture | sed -e 's/.*-//')\"", () => {
    const text =
      "debArch=\"$(dpkg --print-architecture | sed -e 's/.*-//')\"; curl -fsSLo /usr/local/bin/runner \"https://downloads.example.org/runner/$RUNNER_VERSION/runner-$debArch\"";
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    assert.equal(r.commands.length, 4);
    const [assign, dpkg, sed, curl] = r.commands;
    assert.deepEqual(assign?.words, []);
    assert.equal(assign?.assignments[0]?.value, "debArch=$(dpkg --print-architecture | sed -e 's/.*-//')");
    assert.deepEqual(values(dpkg), ['dpkg', '--print-architecture']);
    assert.deepEqual(values(sed), ['sed', '-e', 's/.*-//']);
    assert.equal(dpkg?.parent, assign);
    assert.equal(sed?.parent, assign);
    assert.equal(sed?.substitution, true);
    assert.deepEqual(sed?.branches, []);
    assert.equal(curl?.substitution, false);
    assert.equal(curl?.parent, undefined);
  });

  test('case "$debArch" in amd64 | arm64 | s390x) echo … > list ;; …', () => {
    const text = 'case "$debArch" in amd64 | arm64 | s390x) echo "deb https://packages.example.org/debian stable main" > /etc/apt/sources.list.d/example.list ;; *) from_source=1 ;; esac';
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    const echo = find(r, 'echo');
    assert.deepEqual(caseBranch(echo.branches[0]).patterns, ['amd64', 'arm64', 's390x']);
    assert.deepEqual(echo.redirects.map((w) => w.value), ['>/etc/apt/sources.list.d/example.list']);
    assert.equal(echo.redirects[0]?.raw, '> /etc/apt/sources.list.d/example.list');
  });
});

describe('case', () => {
  test('quoted patterns, alternatives, leading ( and ;& / ;;&', () => {
    const text = `case "$(uname -m)" in (x86_64|'amd64') a ;& "aarch64"|arm64) b ;;& *) c ;; esac`;
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    const uname = find(r, 'uname');
    assert.equal(uname.substitution, true);
    assert.equal(uname.parent, undefined, 'the subject is not part of a simple command');
    assert.deepEqual(caseBranch(find(r, 'a').branches[0]).patterns, ['x86_64', 'amd64']);
    assert.deepEqual(caseBranch(find(r, 'b').branches[0]).patterns, ['aarch64', 'arm64']);
    assert.deepEqual(caseBranch(find(r, 'c').branches[0]).patterns, ['*']);
    assert.equal(caseBranch(find(r, 'c').branches[0]).subject.value, '$(uname -m)');
  });

  test('items on separate lines, empty item, last item without ;;', () => {
    const text = 'case $a in\n  amd64)\n    x\n    y\n    ;;\n  arm64) ;;\n  *)\n    z\nesac\nafter';
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(caseBranch(find(r, 'x').branches[0]).patterns, ['amd64']);
    assert.deepEqual(caseBranch(find(r, 'y').branches[0]).patterns, ['amd64']);
    assert.deepEqual(caseBranch(find(r, 'z').branches[0]).patterns, ['*']);
    assert.deepEqual(find(r, 'after').branches, []);
  });

  test('nested case inside if inside case: branches outermost first', () => {
    const text = 'case "$os" in linux) if [ -n "$x" ]; then case "$arch" in arm64) deep ;; esac; fi ;; esac';
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    const deep = find(r, 'deep');
    assert.deepEqual(
      deep.branches.map((b) => b.kind),
      ['case', 'if', 'case'],
    );
    assert.equal(caseBranch(deep.branches[0]).subject.value, '$os');
    assert.equal(caseBranch(deep.branches[2]).subject.value, '$arch');
  });

  test('case inside $( ) does not end the substitution at a pattern parenthesis', () => {
    const text = 'x="$(case "$a" in amd64) echo x86_64 ;; *) echo "$a" ;; esac)"; next';
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    const echo = r.commands.filter((c) => c.words[0]?.value === 'echo');
    assert.equal(echo.length, 2);
    assert.deepEqual(caseBranch(echo[0]?.branches[0]).patterns, ['amd64']);
    assert.equal(echo[0]?.substitution, true);
    assert.equal(echo[0]?.parent, r.commands[0]);
    assert.deepEqual(values(find(r, 'next')), ['next']);
  });
});

describe('if / while / and-or branches', () => {
  test('elif and else conditions', () => {
    const text = 'if [ "$a" = amd64 ]; then one; elif [ "$a" = arm64 ]; then two; else three; fi';
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    const c1 = r.commands[0];
    const c2 = r.commands.find((c) => c.words[3]?.value === 'arm64');
    assert.deepEqual(condBranch(find(r, 'one').branches[0], 'if').condition, [c1]);
    assert.deepEqual(condBranch(find(r, 'two').branches[0], 'elif').condition, [c2]);
    assert.deepEqual(condBranch(c2?.branches[0], 'else').condition, [c1], 'an elif condition runs when the if failed');
    assert.deepEqual(condBranch(find(r, 'three').branches[0], 'else').condition, [c1, c2]);
  });

  test('while and until bodies', () => {
    const r = parse('while read -r line; do echo "$line"; done < list\nuntil test -f x; do sleep 1; done');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(values(condBranch(find(r, 'echo').branches[0], 'while').condition[0]), ['read', '-r', 'line']);
    assert.deepEqual(values(condBranch(find(r, 'sleep').branches[0], 'while').condition[0]), ['test', '-f', 'x']);
  });

  test('&& and || chains', () => {
    const r = parse('[ "$arch" = amd64 ] && a || b\n[ -x y ] &&\n  c');
    assert.deepEqual(r.errors, []);
    const test1 = r.commands[0];
    const a = find(r, 'a');
    const b = find(r, 'b');
    assert.deepEqual(condBranch(a.branches[0], 'and').condition, [test1]);
    assert.deepEqual(condBranch(b.branches[0], 'or').condition, [test1, a]);
    assert.equal(condBranch(find(r, 'c').branches[0], 'and').condition.length, 1);
  });

  test('a group on the right of && is conditional as a whole', () => {
    const r = parse('[ "$(uname -m)" = x86_64 ] && { wget x; tar xf x; }');
    assert.deepEqual(r.errors, []);
    for (const name of ['wget', 'tar']) {
      const cond = condBranch(find(r, name).branches[0], 'and').condition;
      assert.deepEqual(values(cond[0]), ['[', '$(uname -m)', '=', 'x86_64', ']']);
      assert.equal(cond.length, 1, 'substitution commands are not part of the condition list');
    }
    assert.deepEqual(find(r, 'uname').branches, []);
  });

  test('substitution commands inherit the branches of their parent', () => {
    const r = parse('case $a in arm64) x="$(curl -fsSL https://example.com/arm64)" ;; esac');
    const curl = find(r, 'curl');
    assert.equal(curl.substitution, true);
    assert.deepEqual(caseBranch(curl.branches[0]).patterns, ['arm64']);
  });
});

describe('words', () => {
  test('quote removal, escapes, verbatim expansions', () => {
    const text = `echo 'a b' "c \\"d\\" \\q \\$e" f\\ g \${h:-"i j"} $(k "l m") \`n\` $'o\\'p' $"q" 'r'"s"t`;
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    const c = r.commands[0];
    assert.deepEqual(values(c), ['echo', 'a b', 'c "d" \\q $e', 'f g', '${h:-"i j"}', '$(k "l m")', '`n`', "o\\'p", 'q', 'rst']);
    assert.deepEqual(
      c?.words.map((w) => w.quoted),
      [false, true, true, true, false, false, false, true, true, true],
    );
    assert.deepEqual(values(find(r, 'k')), ['k', 'l m']);
    assert.deepEqual(values(find(r, 'n')), ['n']);
  });

  test('assignments only before the command name', () => {
    const r = parse('FOO=1 BAR="a b" arr=(1 "2 3") X+=y cmd arg Y=z');
    assert.deepEqual(r.errors, []);
    const c = r.commands[0];
    assert.deepEqual(c?.assignments.map((w) => w.raw), ['FOO=1', 'BAR="a b"', 'arr=(1 "2 3")', 'X+=y']);
    assert.deepEqual(c?.assignments.map((w) => w.value), ['FOO=1', 'BAR=a b', 'arr=(1 "2 3")', 'X+=y']);
    assert.deepEqual(values(c), ['cmd', 'arg', 'Y=z']);
  });

  test('exact offsets', () => {
    const text = '  a=1\tfoo  "b c"  \\\n d>out  # comment\n';
    const r = parse(text);
    const c = r.commands[0];
    assert.deepEqual(
      [...(c?.assignments ?? []), ...(c?.words ?? []), ...(c?.redirects ?? [])].map((w) => [w.raw, w.start, w.end]),
      [
        ['a=1', 2, 5],
        ['foo', 6, 9],
        ['"b c"', 11, 16],
        ['d', 21, 22],
        ['>out', 22, 26],
      ],
    );
    assert.equal(c?.start, 2);
    assert.equal(c?.end, 26);
  });

  test('non-ASCII text keeps UTF-16 offsets', () => {
    const text = 'echo "héllo 😀" wörld';
    const r = parse(text);
    assert.deepEqual(values(r.commands[0]), ['echo', 'héllo 😀', 'wörld']);
  });
});

describe('structure', () => {
  test('pipelines, lists, background, negation', () => {
    const r = parse('! a | b |& c; d & e\nf');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.commands.map((c) => values(c)[0]),
      ['a', 'b', 'c', 'd', 'e', 'f'],
    );
    assert.ok(r.commands.every((c) => c.branches.length === 0));
  });

  test('subshells, groups, functions, for loops', () => {
    const r = parse('(cd /src && make) ; { a; b; } > log; f() { inner; }; function g { other; }; for x in 1 $(seq 2); do loop "$x"; done; for ((i=0;i<3;i++)); do arith; done');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.commands.map((c) => values(c)[0]),
      ['cd', 'make', 'a', 'b', 'inner', 'other', 'seq', 'loop', 'arith'],
    );
    const seq = find(r, 'seq');
    assert.equal(seq.substitution, true);
    assert.equal(seq.parent, undefined);
  });

  test('redirections', () => {
    const r = parse('cmd >/dev/null 2>&1 <in 3>&- &>all >>app >|clob <<<"here" 2> "err log" arg');
    assert.deepEqual(r.errors, []);
    const c = r.commands[0];
    assert.deepEqual(values(c), ['cmd', 'arg']);
    assert.deepEqual(c?.redirects.map((w) => w.value), ['>/dev/null', '2>&1', '<in', '3>&-', '&>all', '>>app', '>|clob', '<<<here', '2>err log']);
    assert.equal(c?.redirects[8]?.raw, '2> "err log"');
  });

  test('heredoc markers are redirections; bodies that follow are skipped', () => {
    const text = "cat <<EOF > /etc/x\n$(not a command)\nEOF\ncat <<-'END'\n\tbody\n\tEND\nafter";
    const r = parse(text);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.commands[0]?.redirects.map((w) => w.value), ['<<EOF', '>/etc/x']);
    assert.deepEqual(r.commands[1]?.redirects.map((w) => w.value), ['<<-END']);
    assert.deepEqual(
      r.commands.map((c) => values(c)[0]),
      ['cat', 'cat', 'after'],
    );
    // a RUN line as BuildKit gives it (body stored elsewhere)
    const run = parse('<<EOF');
    assert.deepEqual(run.commands[0]?.redirects.map((w) => w.value), ['<<EOF']);
    assert.deepEqual(run.commands[0]?.words, []);
  });

  test('comments', () => {
    const r = parse('# leading\necho a#b # trailing ; not-a-command\n  # indented comment\nnext');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(values(r.commands[0]), ['echo', 'a#b']);
    assert.deepEqual(values(r.commands[1]), ['next']);
  });

  test('line continuations are tolerated', () => {
    const r = parse('apt-get update \\\n && apt-get install -y \\\r\n   curl');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(values(r.commands[1]), ['apt-get', 'install', '-y', 'curl']);
    const bt = parse('a `\n b', { escape: '`' });
    assert.deepEqual(values(bt.commands[0]), ['a', 'b']);
  });

  test('[[ … ]] and (( … ))', () => {
    const r = parse('[[ $(uname -m) == aarch64 && -n $x ]] && arm; ((n = n + 1)); echo $((n * 2))');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(values(r.commands[0]), ['[[', '$(uname -m)', '==', 'aarch64', '&&', '-n', '$x', ']]']);
    const arm = find(r, 'arm');
    assert.equal(condBranch(arm.branches[0], 'and').condition[0], r.commands[0]);
    assert.deepEqual(values(find(r, 'echo')), ['echo', '$((n * 2))']);
  });

  test('backquotes', () => {
    const r = parse('ARCH=`uname -m` && echo `echo \\`inner\\``');
    assert.deepEqual(r.errors, []);
    const uname = find(r, 'uname');
    assert.equal(uname.substitution, true);
    assert.equal(uname.parent?.assignments[0]?.raw, 'ARCH=`uname -m`');
  });
});

describe('broken input: errors, never throws', () => {
  const broken = [
    "echo 'unterminated",
    'echo "unterminated $(x',
    'echo $(unterminated',
    'echo ${unterminated',
    'echo `unterminated',
    'esac',
    ')',
    'fi; then; done; }',
    'if a; then b',
    'case x in a) b',
    'case x in',
    'case',
    'for',
    'while',
    'a &&',
    'a |',
    '; ;',
    'cat <<EOF\nno end',
    'f() ',
    'echo >',
    '$((1 + ',
    '(( 1 + ',
    'a=(1 2',
    '{ a',
    '( a',
    'case x in (|) y;; esac',
  ];
  for (const text of broken) {
    test(JSON.stringify(text), () => {
      const r = parse(text);
      assert.ok(r.errors.length > 0, 'reports an error');
      for (const e of r.errors) {
        assert.equal(typeof e.message, 'string');
        assert.ok(e.offset >= 0 && e.offset <= text.length);
      }
    });
  }

  test('recovery: commands after a stray token are still read', () => {
    const r = parse('esac; echo one; ) echo two');
    assert.ok(r.errors.length >= 2);
    assert.deepEqual(
      r.commands.map((c) => values(c)[0]),
      ['echo', 'echo'],
    );
  });

  test('deep nesting is cut off, fast', () => {
    for (const unit of ['$(', '${', '(', '((', '$((', 'if ', '{ ', '"$(', 'case x in ', '`', 'a=(']) {
      const text = unit.repeat(20000);
      const t0 = performance.now();
      const r = parseShell(text);
      const ms = performance.now() - t0;
      assert.ok(ms < 2000, `${unit}: ${ms} ms`);
      assert.ok(r.errors.length > 0 || unit === '`', unit);
    }
    assert.ok(parseShell('$('.repeat(MAX_DEPTH + 5)).errors.some((e) => e.message.includes('nesting')));
  });

  test('random input (deterministic fuzz)', () => {
    const pieces = [
      'a', ' ', '\n', ';', ';;', '&&', '||', '|', '&', '(', ')', '{', '}', '$', '$(', '${', '`', '"', "'", '\\', '#',
      '<', '>', '<<EOF\n', 'EOF\n', '2>&1', 'x=', 'case ', ' in ', 'esac', 'if ', 'then ', 'elif ', 'else ', 'fi',
      'for ', 'do ', 'done', 'while ', '[[ ', ' ]]', '((', '))', '*', '%%', '😀', '\r',
    ];
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 3000; k++) {
      let text = '';
      const len = rnd(30);
      for (let q = 0; q < len; q++) text += pieces[rnd(pieces.length)] ?? '';
      parse(text);
      for (const w of wordsOf(text)) assert.equal(text.slice(w.start, w.end), w.raw);
    }
  });
});

describe('wordsOf', () => {
  test('splits on white space only, respecting quotes', () => {
    const text = `a "b c"  'd e'\tf\\ g $(h i) \${j k} x;y|z`;
    assert.deepEqual(
      wordsOf(text).map((w) => [w.value, w.raw, text.slice(w.start, w.end) === w.raw, w.quoted]),
      [
        ['a', 'a', true, false],
        ['b c', '"b c"', true, true],
        ['d e', "'d e'", true, true],
        ['f g', 'f\\ g', true, true],
        ['$(h i)', '$(h i)', true, false],
        ['${j k}', '${j k}', true, false],
        ['x;y|z', 'x;y|z', true, false],
      ],
    );
  });

  test('empty and blank input', () => {
    assert.deepEqual(wordsOf(''), []);
    assert.deepEqual(wordsOf(' \n\t '), []);
    assert.deepEqual(parseShell('').commands, []);
    assert.deepEqual(parseShell('   \n\n # c').errors, []);
  });
});

describe('subshells and functions', () => {
  const by = (text: string) => {
    const r = parseShell(text);
    return Object.fromEntries(r.commands.map((c) => [text.slice(c.start, c.end), c]));
  };

  test('( ) opens a subshell; commands after it are back in the parent', () => {
    const c = by('A=1; (B=2; echo $B); echo $A');
    assert.deepEqual(c['A=1']?.subshells, []);
    assert.equal(c['B=2']?.subshells.length, 1);
    assert.deepEqual(c['B=2']?.subshells, c['echo $B']?.subshells);
    assert.deepEqual(c['echo $A']?.subshells, []);
  });

  test('every element of a pipeline is a subshell of its own; a lone command is not', () => {
    const c = by('x=1 | cat; y=2');
    const left = c['x=1']?.subshells ?? [];
    const right = c['cat']?.subshells ?? [];
    assert.equal(left.length, 1);
    assert.equal(right.length, 1);
    assert.notDeepEqual(left, right);
    assert.deepEqual(c['y=2']?.subshells, []);
  });

  test('a subshell inside a pipeline element nests under the element', () => {
    const c = by('(B=2; curl $B) | tar x');
    const inner = c['B=2']?.subshells ?? [];
    assert.equal(inner.length, 2);
    assert.deepEqual(inner.slice(0, 1), c['curl $B']?.subshells.slice(0, 1));
    assert.notEqual(inner[0], c['tar x']?.subshells[0]);
  });

  test('{ } groups are not subshells', () => {
    const c = by('{ A=1; B=2; }; echo $A');
    assert.deepEqual(c['A=1']?.subshells, []);
    assert.deepEqual(c['echo $A']?.subshells, []);
  });

  test('commands of a command substitution are in a subshell', () => {
    const c = by('x=$(D=4; echo $D)');
    assert.deepEqual(c['x=$(D=4; echo $D)']?.subshells, []);
    assert.equal(c['D=4']?.subshells.length, 1);
  });

  test('function bodies name their function, in both forms; the call does not', () => {
    const c = by('f() { curl $C; }; function g { wget $D; }; C=3; f; g');
    assert.equal(c['curl $C']?.fn, 'f');
    assert.equal(c['wget $D']?.fn, 'g');
    assert.equal(c['C=3']?.fn, undefined);
    assert.equal(c['f']?.fn, undefined);
  });

  test('a function inside a function: the innermost name', () => {
    const c = by('outer() { inner() { echo in; }; echo out; }');
    assert.equal(c['echo in']?.fn, 'inner');
    assert.equal(c['echo out']?.fn, 'outer');
  });
});

describe('performance', () => {
  test('a typical RUN body parses quickly', () => {
    // ten commands: set, the assignment and its uname, the second assignment, two pkg=…, exit,
    // curl, tar, rm
    const body =
      'set -eu; cpu="$(uname -m)"; cpu="${cpu%%-*}"; case "$cpu" in \'x86_64\') pkg=\'https://downloads.example.org/cli/3.1.0/cli-x86_64.tgz\' ;; \'aarch64\') pkg=\'https://downloads.example.org/cli/3.1.0/cli-aarch64.tgz\' ;; *) exit 1 ;; esac; curl -fsSL -o cli.tgz "$pkg"; tar -C /opt -xzf cli.tgz; rm cli.tgz; ';
    const text = body.repeat(200);
    parseShell(text);
    const t0 = performance.now();
    const r = parseShell(text);
    const ms = performance.now() - t0;
    assert.equal(r.commands.length, 200 * 10);
    assert.ok(ms < 500, `${ms} ms for ${text.length} characters`);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseTraits } from './base-images.js';

type Row = [image: string, libc: string | undefined, version: string | undefined, lang: string | undefined, cc: boolean | 'unknown'];

// libc, its version, python/node, and whether the image carries a C compiler
const ROWS: Row[] = [
  ['node:20', 'glibc', '2.36', 'node 20', true],
  ['node:22', 'glibc', '2.41', 'node 22', true],
  ['node:20-slim', 'glibc', '2.36', 'node 20', false],
  ['node:20-alpine', 'musl', '1.2', 'node 20', false],
  ['node:20-alpine3.20', 'musl', '1.2.5', 'node 20', false],
  ['node:18-bullseye', 'glibc', '2.31', 'node 18', true],
  ['node:20.11.1-bookworm-slim', 'glibc', '2.36', 'node 20', false],
  ['node:iron-alpine3.18', 'musl', '1.2.4', 'node 20', false],
  ['node:lts', 'glibc', undefined, undefined, true],
  ['python:3.12-slim-bookworm', 'glibc', '2.36', 'python 3.12', false],
  ['python:3.12-slim', 'glibc', '2.41', 'python 3.12', false],
  ['python:3.12', 'glibc', '2.41', 'python 3.12', true],
  ['python:3.8-slim', 'glibc', '2.36', 'python 3.8', false],
  ['python:3.11-bullseye', 'glibc', '2.31', 'python 3.11', true],
  ['python:3.12-alpine', 'musl', '1.2', 'python 3.12', false],
  ['docker.io/library/python:3.13.1-alpine3.21', 'musl', '1.2.5', 'python 3.13', false],
  ['public.ecr.aws/docker/library/python:3.12-slim', 'glibc', '2.41', 'python 3.12', false],
  ['debian:bookworm-slim', 'glibc', '2.36', undefined, false],
  ['debian:11', 'glibc', '2.31', undefined, false],
  ['debian:buster', 'glibc', '2.28', undefined, false],
  ['debian:trixie', 'glibc', '2.41', undefined, false],
  ['ubuntu:22.04', 'glibc', '2.35', undefined, false],
  ['ubuntu:focal', 'glibc', '2.31', undefined, false],
  ['ubuntu:noble-20240605', 'glibc', '2.39', undefined, false],
  ['alpine:3.19', 'musl', '1.2.4', undefined, false],
  ['alpine', 'musl', '1.2', undefined, false],
  ['registry.access.redhat.com/ubi8/ubi-minimal:8.10', 'glibc', '2.28', undefined, false],
  ['registry.access.redhat.com/ubi9/python-311', 'glibc', '2.34', 'python 3.11', true],
  ['registry.access.redhat.com/ubi9/nodejs-20:latest', 'glibc', '2.34', 'node 20', true],
  ['rockylinux:9', 'glibc', '2.34', undefined, false],
  ['centos:7', 'glibc', '2.17', undefined, false],
  ['amazonlinux:2', 'glibc', '2.26', undefined, false],
  ['amazonlinux:2023', 'glibc', '2.34', undefined, false],
  ['public.ecr.aws/lambda/python:3.11', 'glibc', '2.26', 'python 3.11', false],
  ['public.ecr.aws/lambda/python:3.12', 'glibc', '2.34', 'python 3.12', false],
  ['public.ecr.aws/lambda/nodejs:20', 'glibc', '2.34', 'node 20', false],
  ['fedora:40', 'glibc', '2.39', undefined, false],
  ['gcr.io/distroless/python3-debian12', 'glibc', '2.36', 'python 3.11', false],
  ['gcr.io/distroless/nodejs20-debian12', 'glibc', '2.36', 'node 20', false],
  ['golang:1.22-bookworm', 'glibc', '2.36', undefined, true],
  ['golang:1.25-alpine', 'musl', '1.2', undefined, false],
  ['rust:1-bookworm', 'glibc', '2.36', undefined, true],
  ['rust:1.80-slim-bookworm', 'glibc', '2.36', undefined, true],
  ['buildpack-deps:bookworm', 'glibc', '2.36', undefined, true],
  ['buildpack-deps:bookworm-curl', 'glibc', '2.36', undefined, false],
  // unknown images: the tag may name the distribution; the toolchain stays unknown
  ['nvidia/cuda:12.1.0-runtime-ubuntu22.04', 'glibc', '2.35', undefined, 'unknown'],
  ['ros:humble-ros-base-jammy', 'glibc', '2.35', undefined, 'unknown'],
  ['ghcr.io/acme/builder:1', undefined, undefined, undefined, 'unknown'],
  // astral-sh/uv's images are the official Python ones with uv added (David-Zeng/nanobot builds on
  // one; Cloud-Native-Projekt/geo-service on python3.13-bookworm-slim): slim and alpine carry no compiler
  ['ghcr.io/astral-sh/uv:python3.12-bookworm-slim', 'glibc', '2.36', 'python 3.12', false],
  ['ghcr.io/astral-sh/uv:python3.13-bookworm', 'glibc', '2.36', 'python 3.13', true],
  ['ghcr.io/astral-sh/uv:python3.12-alpine', 'musl', '1.2', 'python 3.12', false],
  ['nikolaik/python-nodejs:python3.12-nodejs20-alpine', 'musl', '1.2', 'python 3.12', 'unknown'],
  ['cgr.dev/chainguard/python:latest', 'glibc', undefined, undefined, 'unknown'],
];

for (const [image, libc, version, lang, cc] of ROWS) {
  test(`base traits: ${image}`, () => {
    const t = baseTraits(image);
    assert.equal(t.libc, libc, 'libc');
    assert.equal(t.libcVersion, version, 'libc version');
    assert.equal(t.python ? `python ${t.python}` : t.node ? `node ${t.node}` : undefined, lang, 'language');
    assert.equal(t.known ? t.tools.cc : 'unknown', cc, 'C compiler');
    assert.ok(t.evidence.length > 10);
  });
}

test('base traits: the full node and python images carry node-gyp\'s needs and Python.h; slim python still has Python.h', () => {
  const node = baseTraits('node:20').tools;
  assert.deepEqual([node.cc, node.cxx, node.make, node.python3], [true, true, true, true]);
  assert.ok(baseTraits('python:3.12').tools.headers.includes('python3-dev'));
  assert.ok(baseTraits('python:3.12-slim').tools.headers.includes('python3-dev'));
  assert.equal(baseTraits('node:20-slim').tools.python3, false);
});

test('base traits: scratch is known and has nothing', () => {
  const t = baseTraits('scratch');
  assert.equal(t.scratch, true);
  assert.equal(t.libc, undefined);
});

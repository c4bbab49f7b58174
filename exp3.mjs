import { generatedBlob } from '/work/wt-registry/dist/test/support/generated-blob.js';
const size = 256*1024*1024;
const src = generatedBlob(size);
const it = src[Symbol.asyncIterator]();
let pulled = 0;
const body = new ReadableStream({ async pull(c) { const r = await it.next(); if (r.done) c.close(); else { pulled += r.value.length; c.enqueue(r.value); } } }, { highWaterMark: 0 });
const timer = setInterval(() => console.log('pulled MB', pulled >> 20, 'rss', Math.round(process.memoryUsage().rss/1e6)), 200);
const res = await fetch('http://127.0.0.1:18555/', { method: 'PUT', body, duplex: 'half', headers: { 'content-length': String(size) } });
console.log(await res.text()); clearInterval(timer);

/**
 * For test rules: where a word first occurs in each shell source a RUN is read as (body,
 * heredocs, build-context scripts), as source offsets of the model.
 */
import type { Model } from '../../src/dockerfile/model.js';
import { toSourceOffset } from '../../src/dockerfile/text.js';

export function shellHits(model: Model, word: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const st of model.stages) {
    for (const ins of st.instructions) {
      for (const src of model.shell(ins)) {
        const at = src.text.text.indexOf(word);
        if (at === -1) continue;
        const start = toSourceOffset(src.text, at);
        out.push({ start, end: start + word.length });
      }
    }
  }
  return out;
}

/**
 * Every state slice no other panel shows, as data: so a mechanism added before its panel
 * is still visible, and nothing in the state is hidden from the reader.
 */
import { h } from '../dom.js';
import { hex } from '../format.js';
import { registerPanel, unclaimedSlices } from './registry.js';

const MAX_TEXT = 20_000;

/** JSON with bigints as hex and objects that have a canonical form (persistent tables) in that form. */
function jsonText(value: unknown): string {
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') return hex(v);
      if (v !== null && typeof v === 'object' && typeof (v as { toCanonical?: unknown }).toCanonical === 'function') {
        return (v as { toCanonical(): unknown }).toCanonical();
      }
      return v;
    },
    2,
  );
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) + '\n…' : text;
}

registerPanel({
  id: 'other',
  title: 'Other state',
  order: 1000,
  slices: [],
  open: false,
  render({ state }) {
    const slices = unclaimedSlices(state);
    if (slices.length === 0) return null;
    return h(
      'div',
      null,
      slices.map((slice) => h('details', { class: 'nested' }, h('summary', null, slice), h('pre', { class: 'json' }, jsonText((state as unknown as Record<string, unknown>)[slice])))),
    );
  },
});

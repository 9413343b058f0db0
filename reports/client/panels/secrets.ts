/**
 * The observer's view: each secret the scenario placed (its owner, where it lives, its
 * value) and who has learned it so far. A secret known to anyone but its owner has
 * leaked.
 */
import { h, table } from '../dom.js';
import { hex } from '../format.js';
import { registerPanel } from './registry.js';

function text(bytesHex: string): string {
  let out = '';
  for (let i = 0; i + 1 < bytesHex.length; i += 2) {
    const byte = parseInt(bytesHex.slice(i, i + 2), 16);
    out += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${bytesHex.slice(i, i + 2)}`;
  }
  return out;
}

registerPanel({
  id: 'secrets',
  title: 'Secrets and who knows them',
  order: 45,
  slices: ['observer'],
  open: true,
  render({ state, previous }) {
    const observer = state.observer;
    if (observer.secrets.ids.length === 0) return null;
    const knowers = (name: string) =>
      Object.keys(observer.knowledge)
        .filter((actor) => observer.knowledge[actor]!.includes(name))
        .sort();
    const rows = observer.secrets.ids.map((name) => {
      const secret = observer.secrets.byName[name]!;
      const known = knowers(name);
      const leakedTo = known.filter((actor) => actor !== secret.owner);
      const newly = leakedTo.some((actor) => !(previous.observer.knowledge[actor] ?? []).includes(name));
      return [
        h('span', { class: newly ? 'changed' : '' }, secret.name),
        secret.owner,
        h('span', { class: 'mono' }, secret.va),
        h('span', { class: 'mono' }, hex(secret.physicalAddress)),
        h('span', { class: 'secret-value' }, text(secret.bytes)),
        secret.erased ? 'erased' : 'in memory',
        leakedTo.length === 0 ? h('span', { class: 'ok-text' }, 'nobody else') : h('span', { class: 'bad-text' }, `LEAKED to ${leakedTo.join(', ')}`),
      ];
    });
    return table(['secret', 'owner', 'va', 'physical', 'value', 'state', 'known by'], rows, { class: 'grid compact' });
  },
});

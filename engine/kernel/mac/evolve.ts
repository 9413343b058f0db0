/** Reducers of the MAC events that change the kernel slice, merged into kernelReducers. */
import type { Envelope } from '../../core/decider.js';
import type { KernelState } from '../state.js';
import type { MacConfinedData } from './events.js';
import type { MacProfile } from './profile.js';
import { macStateOf, withMacState } from './state.js';

type Reducer = (kernel: KernelState, event: Envelope) => KernelState;

/** A profile loaded again under the same name replaces the old one (apparmor_parser -r). */
function profileLoaded(kernel: KernelState, event: Envelope): KernelState {
  const { profile } = event.data as { profile: MacProfile };
  const mac = macStateOf(kernel);
  const ids = mac.profiles.ids.includes(profile.name) ? mac.profiles.ids : [...mac.profiles.ids, profile.name];
  return withMacState(kernel, { ...mac, profiles: { ids, byName: { ...mac.profiles.byName, [profile.name]: profile } } });
}

function confined(kernel: KernelState, event: Envelope): KernelState {
  const { pid, profile } = event.data as MacConfinedData;
  const mac = macStateOf(kernel);
  return withMacState(kernel, { ...mac, confined: { ...mac.confined, [pid]: profile } });
}

export const macKernelReducers: Readonly<Record<string, Reducer>> = {
  'mac.profileLoaded': profileLoaded,
  'mac.confined': confined,
};

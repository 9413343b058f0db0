/**
 * The state panel is a list of sections, one per mechanism, each registered here. A
 * later mechanism (system calls, seccomp, namespaces, …) adds a file that calls
 * `registerPanel` and imports it from panels/index.ts; a state slice that no panel
 * claims still appears, as data, in the "Other state" panel, so nothing is hidden.
 */
import type { Envelope } from '../../../engine/core/decider.js';
import type { MachineState } from '../../../engine/machine/state.js';
import type { RunModel } from '../model.js';

/** What the selected event points at, for panels to highlight. */
export interface Focus {
  /** The virtual address of the walk or access the event belongs to ("0x…"). */
  readonly va: string | null;
  /** The process the event concerns. */
  readonly pid: number | null;
  /** TLB slots the event touched. */
  readonly tlbSlots: readonly number[];
  /** Physical addresses of paging-structure entries the event read or wrote. */
  readonly entryAddresses: readonly number[];
  /** A physical address the event read or wrote. */
  readonly physicalAddress: number | null;
}

export interface PanelContext {
  readonly run: RunModel;
  readonly seq: number;
  readonly event: Envelope;
  /** The state after the event. */
  readonly state: MachineState;
  /** The state before it, to mark what the event changed. */
  readonly previous: MachineState;
  readonly focus: Focus;
}

export interface StatePanel {
  readonly id: string;
  readonly title: string;
  /** Panels are shown in ascending order. */
  readonly order: number;
  /** The state slices it shows (keys of MachineState, or of a later, larger state). */
  readonly slices: readonly string[];
  /** Whether the panel starts open. */
  readonly open: boolean;
  /** The panel's content, or null when it has nothing to show for this state. */
  render(context: PanelContext): Node | null;
}

const panels: StatePanel[] = [];

export function registerPanel(panel: StatePanel): void {
  if (panels.some((existing) => existing.id === panel.id)) throw new Error(`a state panel "${panel.id}" is already registered`);
  panels.push(panel);
  panels.sort((a, b) => a.order - b.order);
}

export function statePanels(): readonly StatePanel[] {
  return panels;
}

/** Slices no registered panel shows. */
export function unclaimedSlices(state: object): string[] {
  const claimed = new Set(panels.flatMap((panel) => panel.slices));
  return Object.keys(state).filter((slice) => !claimed.has(slice));
}

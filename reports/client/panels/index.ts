/** Registers every state panel; a new mechanism's panel is imported here. */
import './cpu.js';
import './tlb.js';
import './page-tables.js';
import './processes.js';
import './sandbox.js';
import './secrets.js';
import './memory.js';
import './scenario.js';
import './other.js';

export { statePanels, type Focus, type PanelContext, type StatePanel } from './registry.js';

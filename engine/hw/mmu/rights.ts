/**
 * Access rights of a translation and the page-fault error code when they refuse an
 * access: Intel SDM Vol. 3A §4.6 ("Access Rights"), §4.6.2 ("Protection Keys") and §4.7
 * ("Page-Fault Exceptions").
 *
 * One function decides, `checkRights`, so that a TLB hit (which holds the combined
 * Rights of an earlier walk, §4.10.2.2) and a fresh walk give the same verdict.
 *
 * Modelled: supervisor-mode and user-mode accesses (CPL < 3 vs CPL = 3; implicit
 * supervisor-mode accesses at any CPL), supervisor-mode and user-mode addresses (U/S
 * in every entry), R/W with CR0.WP, XD with IA32_EFER.NXE, SMEP, SMAP with EFLAGS.AC
 * and its implicit/explicit distinction, PKRU protection keys for user-mode addresses.
 * Left out: protection keys for supervisor pages (CR4.PKS, IA32_PKRS), CET
 * shadow-stack accesses and WRUSS (a CPL-0 instruction whose accesses count as user
 * accesses), HLAT paging, SGX; none of the scenarios exercises them.
 */
import type { AccessRequest, EntryFormat, PagingControl, Rights } from './types.js';
import { PF_I, PF_P, PF_PK, PF_U, PF_W } from './types.js';

/** Why an access with a translation is refused: the #PF error code and a sentence. */
export interface RightsViolation {
  readonly errorCode: number;
  readonly reason: string;
}

/**
 * Error-code bits that describe the access itself rather than the paging structures
 * (SDM §4.7), shared by every #PF of a walk: W/R for a write; U/S for a user-mode
 * access, which an implicit supervisor-mode access never is (§4.6.1); I/D for an
 * instruction fetch when CR4.SMEP = 1, or when CR4.PAE = 1 (PAE, 4-level or 5-level
 * paging — here the 'x86-64' format) and IA32_EFER.NXE = 1.
 */
export function accessErrorBits(request: AccessRequest, control: PagingControl, format: EntryFormat): number {
  let bits = 0;
  if (request.kind === 'write') bits |= PF_W;
  if (control.cpl === 3 && request.implicitSupervisor !== true) bits |= PF_U;
  if (request.kind === 'fetch' && (control.cr4Smep || (format === 'x86-64' && control.efer_nxe))) bits |= PF_I;
  return bits;
}

/**
 * Whether PKRU refuses this data access to a user-mode address (SDM §4.6.2, and the
 * PK bit of §4.7): protection keys exist only with IA-32e paging ('x86-64') and
 * CR4.PKE = 1; ADi = 1 refuses every data access; WDi = 1 refuses writes by user-mode
 * accesses, and by supervisor-mode accesses only when CR0.WP = 1.
 */
function protectionKeyRefuses(
  rights: Rights,
  request: AccessRequest,
  control: PagingControl,
  format: EntryFormat,
  userAccess: boolean,
): boolean {
  if (format !== 'x86-64' || !control.cr4Pke || request.kind === 'fetch' || !rights.user) return false;
  const shift = 2 * (rights.pkey & 0xf);
  const accessDisable = (control.pkru >>> shift) & 1;
  const writeDisable = (control.pkru >>> (shift + 1)) & 1;
  if (accessDisable === 1) return true;
  return request.kind === 'write' && writeDisable === 1 && (userAccess || control.cr0Wp);
}

function pkReason(rights: Rights, request: AccessRequest, control: PagingControl): string {
  const shift = 2 * (rights.pkey & 0xf);
  const disabledBy = ((control.pkru >>> shift) & 1) === 1 ? 'AD' : 'WD';
  const what = request.kind === 'write' ? 'write to' : 'read of';
  return `protection key ${rights.pkey}: PKRU.${disabledBy}${rights.pkey}=1 forbids this ${what} a user page`;
}

/** §4.6.1, "for user-mode accesses": the page must be a user page, writable for a write, executable for a fetch. */
function userModeReason(rights: Rights, request: AccessRequest, control: PagingControl, format: EntryFormat): string | null {
  const nx = format === 'x86-64' && control.efer_nxe;
  switch (request.kind) {
    case 'read':
      return rights.user ? null : 'user-mode read of a supervisor page';
    case 'write':
      if (!rights.user) return 'user-mode write to a supervisor page';
      return rights.writable ? null : 'user-mode write to a read-only page';
    case 'fetch':
      if (!rights.user) return 'user-mode instruction fetch from a supervisor page';
      return nx && !rights.executable ? 'user-mode instruction fetch from an execute-disable page' : null;
  }
}

/** §4.6.1: SMAP refuses supervisor data accesses to user pages unless EFLAGS.AC = 1 and the access is explicit. */
function smapReason(request: AccessRequest, control: PagingControl): string | null {
  const implicit = request.implicitSupervisor === true;
  if (!control.cr4Smap || (control.rflagsAc && !implicit)) return null;
  const what = request.kind === 'write' ? 'write to' : 'read of';
  return implicit
    ? `SMAP: implicit supervisor-mode ${what} a user page`
    : `SMAP: supervisor ${what} a user page with EFLAGS.AC=0`;
}

/** §4.6.1, "for supervisor-mode accesses". */
function supervisorModeReason(
  rights: Rights,
  request: AccessRequest,
  control: PagingControl,
  format: EntryFormat,
): string | null {
  if (request.kind === 'fetch') {
    if (rights.user && control.cr4Smep) return 'SMEP: supervisor instruction fetch from a user page';
    const nx = format === 'x86-64' && control.efer_nxe;
    return nx && !rights.executable ? 'supervisor instruction fetch from an execute-disable page' : null;
  }
  if (rights.user) {
    const smap = smapReason(request, control);
    if (smap !== null) return smap;
  }
  if (request.kind === 'write' && control.cr0Wp && !rights.writable) {
    return rights.user
      ? 'supervisor write to a read-only user page with CR0.WP=1'
      : 'supervisor write to a read-only page with CR0.WP=1';
  }
  return null;
}

/**
 * Decides whether a translation's rights allow an access (SDM §4.6); null when they
 * do, otherwise the #PF error code (§4.7) and the reason. `format` is the geometry's
 * entry format: XD and protection keys exist only with 'x86-64' entries, I/D depends
 * on CR4.PAE, and 'ostep' entries carry no rights at all, so every access is allowed.
 *
 * The PK bit is set exactly as §4.7 defines it — a data access to a user-mode address
 * whose key PKRU disables — even when another rule refuses the access as well.
 */
export function checkRights(
  rights: Rights,
  request: AccessRequest,
  control: PagingControl,
  format: EntryFormat = 'x86-64',
): RightsViolation | null {
  if (format === 'ostep') return null;
  const userAccess = control.cpl === 3 && request.implicitSupervisor !== true;
  let reason = userAccess
    ? userModeReason(rights, request, control, format)
    : supervisorModeReason(rights, request, control, format);
  const keyRefuses = protectionKeyRefuses(rights, request, control, format, userAccess);
  if (reason === null) {
    if (!keyRefuses) return null;
    reason = pkReason(rights, request, control);
  }
  const errorCode = PF_P | accessErrorBits(request, control, format) | (keyRefuses ? PF_PK : 0);
  return { errorCode, reason };
}

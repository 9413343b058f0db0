/**
 * A seccomp profile as read from JSON: Docker's format (moby/profiles seccomp/seccomp.go:
 * archMap, includes/excludes, the old single `name`) or the OCI runtime-spec's
 * `linux.seccomp` object (config-linux.md "Seccomp"). Both become one shape; the OCI form
 * simply has no includes/excludes and no archMap.
 */
import type { SeccompAction } from '../constants.js';
import type { SourceLocation } from '../../../core/errors.js';

/** SCMP_CMP_* (libseccomp seccomp.h enum scmp_compare), as runc maps the spec's strings. */
export const COMPARE_OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'] as const;
export type CompareOperator = (typeof COMPARE_OPERATORS)[number];

/**
 * SCMP_ACT_* names and the kernel action each stands for. SCMP_ACT_KILL is libseccomp's
 * old name of SCMP_ACT_KILL_THREAD; SCMP_ACT_NOTIFY is SECCOMP_RET_USER_NOTIF.
 */
export const PROFILE_ACTIONS: Readonly<Record<string, SeccompAction>> = {
  SCMP_ACT_KILL: 'KILL_THREAD',
  SCMP_ACT_KILL_THREAD: 'KILL_THREAD',
  SCMP_ACT_KILL_PROCESS: 'KILL_PROCESS',
  SCMP_ACT_TRAP: 'TRAP',
  SCMP_ACT_ERRNO: 'ERRNO',
  SCMP_ACT_TRACE: 'TRACE',
  SCMP_ACT_ALLOW: 'ALLOW',
  SCMP_ACT_LOG: 'LOG',
  SCMP_ACT_NOTIFY: 'USER_NOTIF',
};

/** Every SCMP_ARCH_* the runtime spec names (defs-linux.json SeccompArch). */
export const PROFILE_ARCHITECTURES = [
  'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_M68K', 'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X',
  'SCMP_ARCH_SH', 'SCMP_ARCH_SHEB', 'SCMP_ARCH_PARISC', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64',
] as const;

/** The spec's SeccompFlag values. */
export const PROFILE_FLAGS = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] as const;

/** An action and the errno it carries (errnoRet; null when the profile gives none). */
export interface ProfileActionSpec {
  readonly action: SeccompAction;
  /** The SCMP_ACT_* word as written. */
  readonly name: string;
  readonly errnoRet: number | null;
}

export interface ProfileCondition {
  readonly index: number;
  readonly op: CompareOperator;
  /** `value`: the datum, or the mask for SCMP_CMP_MASKED_EQ. */
  readonly value: bigint;
  /** `valueTwo`: the datum for SCMP_CMP_MASKED_EQ (0 when absent). */
  readonly valueTwo: bigint;
  readonly location: SourceLocation;
}

/** Docker's includes/excludes filter. */
export interface ProfileFilter {
  readonly caps: readonly string[];
  /** Docker's native arch words: amd64, x86, x32, arm64… (runtime.GOARCH as libseccomp names it). */
  readonly arches: readonly string[];
  /** "major.minor", or null. */
  readonly minKernel: { readonly major: number; readonly minor: number } | null;
}

export interface ProfileRule {
  /** Position in the profile's syscalls array (0-based). */
  readonly index: number;
  readonly names: readonly string[];
  readonly action: ProfileActionSpec;
  readonly conditions: readonly ProfileCondition[];
  readonly includes: ProfileFilter | null;
  readonly excludes: ProfileFilter | null;
  readonly comment: string | null;
  readonly location: SourceLocation;
}

export interface ArchMapEntry {
  readonly architecture: string;
  readonly subArchitectures: readonly string[];
}

export interface Profile {
  /** 'docker' when the file uses Docker-only fields (archMap, includes, excludes, name, comment). */
  readonly format: 'docker' | 'oci';
  readonly file: string;
  readonly defaultAction: ProfileActionSpec;
  readonly architectures: readonly string[];
  readonly archMap: readonly ArchMapEntry[];
  readonly flags: readonly string[];
  readonly listenerPath: string | null;
  readonly rules: readonly ProfileRule[];
}

/**
 * Reads a seccomp profile: Docker's JSON format (moby/profiles seccomp/seccomp.go and
 * seccomp_linux.go) or the OCI runtime-spec `linux.seccomp` object (config-linux.md
 * "Seccomp", schema defs-linux.json), bare or inside a whole config.json. Every problem is
 * an E_PROFILE ScenarioError located at the offending JSON value, naming it and saying
 * what was expected. Stricter than Docker on purpose: an unknown member, syscall name,
 * action, operator or architecture is a typo to report (Docker's decoder ignores unknown
 * members and runc skips names libseccomp cannot resolve), with the nearest valid word.
 */
import { CAPABILITIES } from '../../syscall/constants.js';
import { nearest } from '../../../../dsl/suggest.js';
import { JsonSource, parseJson, type JsonMember, type JsonSpan, type JsonValue } from './json.js';
import { LIBSECCOMP_SYSCALL_NAMES } from './known-names.js';
import {
  COMPARE_OPERATORS,
  PROFILE_ACTIONS,
  PROFILE_ARCHITECTURES,
  PROFILE_FLAGS,
  type ArchMapEntry,
  type CompareOperator,
  type Profile,
  type ProfileActionSpec,
  type ProfileCondition,
  type ProfileFilter,
  type ProfileRule,
} from './types.js';

/** Docker's native architecture words (moby seccomp_linux.go nativeToSeccomp, plus x32 as the profiles use it). */
export const DOCKER_ARCH_WORDS = [
  'amd64', 'x86', 'x32', 'arm', 'arm64', 'loong64', 'loongarch64', 'mips', 'mipsel', 'mipsle', 'mips64', 'mips64n32',
  'mipsel64', 'mipsel64n32', 'mips3l64n32', 'ppc', 'ppc64', 'ppc64le', 'riscv64', 's390', 's390x',
] as const;

/** Seccomp arguments: six per call (struct seccomp_data args[6]). */
export const ARGUMENT_COUNT = 6;
const U64_LIMIT = 1n << 64n;

// containers/common (Podman) adds "defaultErrno" and "errno": the errno's name beside the
// number, for people; the number decides, so they are accepted and not read.
const SECCOMP_MEMBERS = ['defaultAction', 'defaultErrnoRet', 'defaultErrno', 'architectures', 'archMap', 'flags', 'listenerPath', 'listenerMetadata', 'syscalls'];
const RULE_MEMBERS = ['names', 'name', 'action', 'errnoRet', 'errno', 'args', 'includes', 'excludes', 'comment'];
const ARG_MEMBERS = ['index', 'value', 'valueTwo', 'op'];
const FILTER_MEMBERS = ['caps', 'arches', 'minKernel'];
const ARCH_MAP_MEMBERS = ['architecture', 'subArchitectures'];

/** Parses a profile; `file` names it in error locations. */
export function parseProfile(text: string, file: string): Profile {
  const source = new JsonSource(file, text);
  const root = parseJson(source);
  const reader = new ProfileReader(source);
  return reader.profile(reader.seccompObjectOf(root));
}

type ObjectValue = Extract<JsonValue, { kind: 'object' }>;

class ProfileReader {
  private dockerOnly = false;

  constructor(private readonly source: JsonSource) {}

  /** The seccomp object itself, or `linux.seccomp` of a runtime-spec config.json. */
  seccompObjectOf(root: JsonValue): ObjectValue {
    const object = this.object(root, 'a seccomp profile (a JSON object)');
    const linux = member(object, 'linux');
    if (linux === undefined && member(object, 'ociVersion') === undefined) return object;
    if (linux === undefined) this.source.fail(object.span, 'this runtime config.json has no "linux" object, so no seccomp profile', ['the profile is read from linux.seccomp']);
    const seccomp = member(this.object(linux.value, 'the "linux" object of a runtime config'), 'seccomp');
    if (seccomp === undefined) this.source.fail(linux.keySpan, 'this runtime config.json has no linux.seccomp profile');
    return this.object(seccomp.value, 'the linux.seccomp object');
  }

  profile(object: ObjectValue): Profile {
    this.checkMembers(object, SECCOMP_MEMBERS, 'a seccomp profile');
    const defaultAction = member(object, 'defaultAction');
    if (defaultAction === undefined) this.source.fail(object.span, 'this seccomp profile has no "defaultAction"', ['give the action for calls no rule matches, e.g. "defaultAction": "SCMP_ACT_ERRNO"']);
    const architectures = this.stringList(member(object, 'architectures'), 'architectures').map(([name, span]) => this.architecture(name, span));
    const archMapMember = member(object, 'archMap');
    const archMap = archMapMember === undefined ? [] : this.array(archMapMember.value, 'archMap').map((item) => this.archMapEntry(item));
    if (architectures.length > 0 && archMap.length > 0) {
      this.source.fail(archMapMember!.keySpan, "both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'");
    }
    if (archMap.length > 0) this.dockerOnly = true;
    const flags = this.stringList(member(object, 'flags'), 'flags').map(([flag, span]) => this.word(flag, span, PROFILE_FLAGS, 'seccomp flag'));
    const listener = member(object, 'listenerPath');
    const syscalls = member(object, 'syscalls');
    const rules = syscalls === undefined ? [] : this.array(syscalls.value, 'syscalls').map((item, index) => this.rule(item, index));
    return {
      format: this.dockerOnly ? 'docker' : 'oci',
      file: this.source.file,
      defaultAction: this.action(defaultAction.value, member(object, 'defaultErrnoRet')),
      architectures,
      archMap,
      flags,
      listenerPath: listener === undefined || listener.value.kind === 'null' ? null : this.string(listener.value, 'listenerPath'),
      rules,
    };
  }

  private rule(value: JsonValue, index: number): ProfileRule {
    const object = this.object(value, `syscalls[${index}]: a rule object`);
    this.checkMembers(object, RULE_MEMBERS, 'a syscall rule');
    const namesMember = member(object, 'names');
    const nameMember = member(object, 'name');
    if (nameMember !== undefined) this.dockerOnly = true;
    if (namesMember !== undefined && nameMember !== undefined && this.array(namesMember.value, 'names').length > 0) {
      this.source.fail(nameMember.keySpan, "both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'");
    }
    const names = nameMember !== undefined ? [this.syscallName(nameMember.value)] : namesMember !== undefined ? this.array(namesMember.value, 'names').map((item) => this.syscallName(item)) : [];
    if (names.length === 0) this.source.fail(object.span, `syscalls[${index}] names no system call`, ['give "names": ["…"] with at least one name']);
    const actionMember = member(object, 'action');
    if (actionMember === undefined) this.source.fail(object.span, `syscalls[${index}] has no "action"`);
    const argsMember = member(object, 'args');
    const conditions = argsMember === undefined || argsMember.value.kind === 'null' ? [] : this.array(argsMember.value, 'args').map((item) => this.condition(item));
    const includes = this.filter(member(object, 'includes'));
    const excludes = this.filter(member(object, 'excludes'));
    const comment = member(object, 'comment');
    if (includes !== null || excludes !== null || comment !== undefined) this.dockerOnly = true;
    return {
      index,
      names,
      action: this.action(actionMember.value, member(object, 'errnoRet')),
      conditions,
      includes,
      excludes,
      comment: comment === undefined ? null : this.string(comment.value, 'comment'),
      location: this.source.locate(object.span),
    };
  }

  private condition(value: JsonValue): ProfileCondition {
    const object = this.object(value, 'an argument condition {index, value, valueTwo, op}');
    this.checkMembers(object, ARG_MEMBERS, 'an argument condition');
    const index = member(object, 'index');
    const datum = member(object, 'value');
    const op = member(object, 'op');
    if (index === undefined || datum === undefined || op === undefined) this.source.fail(object.span, 'an argument condition needs "index", "value" and "op"');
    const argumentIndex = this.unsigned(index.value, 'index', 1n << 32n);
    if (argumentIndex >= BigInt(ARGUMENT_COUNT)) {
      this.source.fail(index.value.span, `argument index ${argumentIndex} is out of range: a system call has ${ARGUMENT_COUNT} arguments, 0 to ${ARGUMENT_COUNT - 1}`);
    }
    const valueTwo = member(object, 'valueTwo');
    return {
      index: Number(argumentIndex),
      op: this.word(this.string(op.value, 'op'), op.value.span, COMPARE_OPERATORS, 'comparison operator') as CompareOperator,
      value: this.unsigned(datum.value, 'value', U64_LIMIT),
      valueTwo: valueTwo === undefined ? 0n : this.unsigned(valueTwo.value, 'valueTwo', U64_LIMIT),
      location: this.source.locate(object.span),
    };
  }

  private filter(found: JsonMember | undefined): ProfileFilter | null {
    if (found === undefined || found.value.kind === 'null') return null;
    const object = this.object(found.value, `the "${found.key}" filter {caps, arches, minKernel}`);
    this.checkMembers(object, FILTER_MEMBERS, `an "${found.key}" filter`);
    const caps = this.stringList(member(object, 'caps'), 'caps').map(([cap, span]) => this.word(cap, span, CAPABILITIES, 'capability'));
    const arches = this.stringList(member(object, 'arches'), 'arches').map(([arch, span]) => this.word(arch, span, DOCKER_ARCH_WORDS, 'architecture word (Docker names them as Go does: amd64, x86, x32, arm64…)'));
    const kernel = member(object, 'minKernel');
    return { caps, arches, minKernel: kernel === undefined || kernel.value.kind === 'null' ? null : this.kernelVersion(kernel.value) };
  }

  /** moby seccomp.go KernelVersion.UnmarshalJSON: "<kernel>.<major>", each a uint8, not 0.0; "" means none. */
  private kernelVersion(value: JsonValue): { major: number; minor: number } | null {
    const text = this.string(value, 'minKernel');
    if (text === '') return null;
    const match = /^(\d{1,3})\.(\d{1,3})$/.exec(text);
    const major = match === null ? NaN : Number(match[1]);
    const minor = match === null ? NaN : Number(match[2]);
    if (!(major <= 255 && minor <= 255) || (major === 0 && minor === 0)) {
      this.source.fail(value.span, `invalid kernel version ${JSON.stringify(text)}: expected "<kernel>.<major>", two numbers from 0 to 255, not 0.0`, ['for example "minKernel": "4.8"']);
    }
    return { major, minor };
  }

  private archMapEntry(value: JsonValue): ArchMapEntry {
    const object = this.object(value, 'an archMap entry {architecture, subArchitectures}');
    this.checkMembers(object, ARCH_MAP_MEMBERS, 'an archMap entry');
    const architecture = member(object, 'architecture');
    if (architecture === undefined) this.source.fail(object.span, 'this archMap entry has no "architecture"');
    const subs = member(object, 'subArchitectures');
    return {
      architecture: this.architecture(this.string(architecture.value, 'architecture'), architecture.value.span),
      subArchitectures: subs === undefined || subs.value.kind === 'null' ? [] : this.stringList(subs, 'subArchitectures').map(([name, span]) => this.architecture(name, span)),
    };
  }

  private action(value: JsonValue, errnoMember: JsonMember | undefined): ProfileActionSpec {
    const name = this.word(this.string(value, 'an action'), value.span, Object.keys(PROFILE_ACTIONS), 'action');
    const errnoRet = errnoMember === undefined || errnoMember.value.kind === 'null' ? null : Number(this.unsigned(errnoMember.value, errnoMember.key, 1n << 32n));
    return { action: PROFILE_ACTIONS[name], name, errnoRet };
  }

  private architecture(name: string, span: JsonSpan): string {
    return this.word(name, span, PROFILE_ARCHITECTURES, 'architecture');
  }

  private syscallName(value: JsonValue): string {
    const name = this.string(value, 'a system-call name');
    return this.word(name, value.span, LIBSECCOMP_SYSCALL_NAMES, 'system call', 'libseccomp knows no system call by this name on any architecture');
  }

  /** `text` if it is one of `allowed`, else a located error with the nearest candidate. */
  private word<T extends string>(text: string, span: JsonSpan, allowed: readonly T[], what: string, reason?: string): T {
    if ((allowed as readonly string[]).includes(text)) return text as T;
    const suggestion = nearest(text, allowed);
    const notes = [...(reason === undefined ? [] : [reason]), suggestion === null ? `expected one of ${allowed.length > 12 ? `${allowed.slice(0, 12).join(', ')}…` : allowed.join(', ')}` : `did you mean "${suggestion}"?`];
    this.source.fail(span, `unknown ${what} ${JSON.stringify(text)}`, notes);
  }

  private checkMembers(object: ObjectValue, allowed: readonly string[], what: string): void {
    for (const found of object.members) {
      if (allowed.includes(found.key)) continue;
      const suggestion = nearest(found.key, allowed);
      this.source.fail(found.keySpan, `unknown member "${found.key}" in ${what}`, [suggestion === null ? `expected one of ${allowed.join(', ')}` : `did you mean "${suggestion}"?`]);
    }
  }

  private stringList(found: JsonMember | undefined, what: string): [string, JsonSpan][] {
    if (found === undefined || found.value.kind === 'null') return [];
    return this.array(found.value, what).map((item) => [this.string(item, `an entry of ${what}`), item.span]);
  }

  private object(value: JsonValue, what: string): ObjectValue {
    if (value.kind !== 'object') this.wrongType(value, what);
    return value;
  }

  private array(value: JsonValue, what: string): readonly JsonValue[] {
    if (value.kind !== 'array') this.wrongType(value, `"${what}" to be an array`);
    return value.items;
  }

  private string(value: JsonValue, what: string): string {
    if (value.kind !== 'string') this.wrongType(value, `${what} as a string`);
    return value.value;
  }

  /** A non-negative integer below `limit`, exact (JSON numbers are read from their text). */
  private unsigned(value: JsonValue, what: string, limit: bigint): bigint {
    if (value.kind !== 'number') this.wrongType(value, `"${what}" to be a number`);
    if (!/^(0|[1-9][0-9]*)$/.test(value.text)) this.source.fail(value.span, `"${what}" must be a non-negative integer, found ${value.text}`);
    const number = BigInt(value.text);
    if (number >= limit) this.source.fail(value.span, `"${what}" is too large: ${value.text} does not fit in ${limit === U64_LIMIT ? 64 : 32} bits`);
    return number;
  }

  private wrongType(value: JsonValue, expected: string): never {
    const found = value.kind === 'object' ? 'an object' : value.kind === 'array' ? 'an array' : value.kind === 'null' ? 'null' : `the ${value.kind} ${this.source.excerpt(value.span)}`;
    this.source.fail(value.span, `expected ${expected}, found ${found}`);
  }
}

function member(object: ObjectValue, key: string): JsonMember | undefined {
  return object.members.find((found) => found.key === key);
}

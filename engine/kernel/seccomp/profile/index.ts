/**
 * Docker/OCI seccomp profiles: read (parse.ts), resolved for a machine and a bounding set
 * as Docker, runc and libseccomp do (resolve.ts), evaluated directly (evaluate.ts) and
 * compiled to the classic-BPF filter libseccomp would load (compile.ts).
 */
export { parseProfile, ARGUMENT_COUNT, DOCKER_ARCH_WORDS } from './parse.js';
export { resolveProfile, actionValueOf, syscallNameOf, SYSCALL_TABLES, AUDIT_ARCH_OF_ABI, DEFAULT_KERNEL } from './resolve.js';
export type { Abi, AbiSection, HostArch, ResolveOptions, ResolvedCondition, ResolvedProfile, ResolvedRule, RuleOrigin, SyscallFilter } from './resolve.js';
export { evaluateProfile, decideProfile, explainProfile, describeAction, conditionHolds, conditionText } from './evaluate.js';
export type { Decision, DecisionReason, ExplainedCall, ProfileCall, ProfileExplanation } from './evaluate.js';
export { compileProfile } from './compile.js';
export type { CompareOperator, Profile, ProfileActionSpec, ProfileCondition, ProfileFilter, ProfileRule } from './types.js';
export { COMPARE_OPERATORS, PROFILE_ACTIONS, PROFILE_ARCHITECTURES } from './types.js';

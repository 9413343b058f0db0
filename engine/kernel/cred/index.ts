/** Credentials and capabilities: the import surface other mechanisms use. */
export { capable } from './capable.js';
export { CAP_FS_SET, CAP_VALID_MASK, isSubset, maskText } from './capabilities.js';
export { commitCredentials } from './commit.js';
export { CREDENTIAL_EVENTS, CREDENTIALS_CHANGED, credentialsChanged, credentialsChangedByExec, type CredentialsChangedData, type ExecEvidence } from './events.js';
export { credentialsAfterExec, type ExecCredentials, type ExecFile, type ExecMount } from './exec.js';
export { credKernelReducers } from './evolve.js';
export { CRED_INVARIANTS } from './invariants.js';
export { SECBIT_KEEP_CAPS, SECBIT_NOROOT, SECBIT_NO_CAP_AMBIENT_RAISE, SECBIT_NO_SETUID_FIXUP, isSecure } from './securebits.js';
export * from './state.js';
export { CRED_HANDLERS } from './syscalls.js';

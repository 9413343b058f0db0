// Proves the catalogue of semantic errors of the scenario compiler: each mistake is refused before anything runs with its exact code, message, location (line, column, length) and notes.
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../engine/core/errors.js';
import { variantAxes, variantMatrix } from '../../../dsl/compile/index.js';
import { compileError, compileText, loadText } from '../../helpers/scenario.js';

interface CatalogueEntry {
  readonly title: string;
  readonly text: string;
  readonly variant?: Readonly<Record<string, string>>;
  readonly files?: Readonly<Record<string, string>>;
  readonly code: string;
  readonly message: string;
  /** "file:line:column+length" of the offending text. */
  readonly at: string;
  readonly notes?: readonly string[];
}

const ALICE = 'process alice { uid: 1000 }\n';
const I386 = 'machine {\n  cpu i386\n}\n';

const CATALOGUE: readonly CatalogueEntry[] = [
  {
    title: 'an unknown process, with the nearest name suggested',
    text: ALICE + 'alcie: read 0x400000\n',
    code: 'E_UNKNOWN_PROCESS',
    message: 'no process is named "alcie"',
    at: 'test.isl:2:1+5',
    notes: ['did you mean "alice"?'],
  },
  {
    title: 'an unknown action',
    text: ALICE + 'alice: raed 0x400000\n',
    code: 'E_UNKNOWN_ACTION',
    message: '"raed" is not an action of a process (expected one of: read, write, jump, exec, int, syscall, map, unmap, protect, resume)',
    at: 'test.isl:2:8+4',
    notes: ['did you mean "read"?'],
  },
  {
    title: 'a map at a non-canonical address',
    text: ALICE + 'alice: map 0x0000800000000000 size 4 KiB rw\n',
    code: 'E_NONCANONICAL',
    message: '0x800000000000 is not a canonical address (bits 63:47 must all equal bit 47)',
    at: 'test.isl:2:12+18',
  },
  {
    title: 'a map at an address that is not page-aligned',
    text: ALICE + 'alice: map 0x400010 size 4 KiB rw\n',
    code: 'E_ALIGN',
    message: '0x400010 is not aligned to a 4096-byte page',
    at: 'test.isl:2:12+8',
  },
  {
    title: 'a map whose size is not a whole number of pages',
    text: ALICE + 'alice: map 0x400000 size 100 B rw\n',
    code: 'E_ALIGN',
    message: 'the size 100 is not a whole number of 4096-byte pages',
    at: 'test.isl:2:26+5',
  },
  {
    title: 'a map that overlaps an earlier one of the same process',
    text: ALICE + 'alice: map 0x400000 size 8 KiB rw\nalice: map 0x401000 size 4 KiB rw\n',
    code: 'E_OVERLAP',
    message: 'alice already has 0x400000..0x402000 mapped; this mapping overlaps it',
    at: 'test.isl:3:12+8',
    notes: ['unmap the old range first, or pick another address'],
  },
  {
    title: 'an unmap of a range that is not mapped',
    text: ALICE + 'alice: map 0x400000 size 4 KiB rw\nalice: unmap 0x500000 size 4 KiB\n',
    code: 'E_NOT_MAPPED',
    message: 'alice has nothing mapped at 0x500000 (in 0x500000..0x501000)',
    at: 'test.isl:3:14+8',
  },
  {
    title: 'an unmap of a range already unmapped',
    text: ALICE + 'alice: map 0x400000 size 4 KiB rw\nalice: unmap 0x400000 size 4 KiB\nalice: unmap 0x400000 size 4 KiB\n',
    code: 'E_NOT_MAPPED',
    message: 'alice has nothing mapped at 0x400000 (in 0x400000..0x401000)',
    at: 'test.isl:4:14+8',
  },
  {
    title: 'a protect over a hole between two mappings',
    text: ALICE + 'alice: map 0x400000 size 4 KiB rw\nalice: map 0x402000 size 4 KiB rw\nalice: protect 0x400000 size 12 KiB r\n',
    code: 'E_NOT_MAPPED',
    message: 'alice has nothing mapped at 0x401000 (in 0x400000..0x403000)',
    at: 'test.isl:4:16+8',
  },
  {
    title: 'a user mapping that ends above the top of user space (x86-64)',
    text: ALICE + 'alice: map 0x7ffffffff000 size 8 KiB rw\n',
    code: 'E_USER_SPACE',
    message: 'a process maps memory below 0x800000000000 (the top of user space); the kernel half above it is shared by every process',
    at: 'test.isl:2:12+14',
  },
  {
    title: 'a user mapping that ends above the top of user space (i386, 3G/1G split)',
    text: I386 + ALICE + 'alice: map 0xbffff000 size 8 KiB rw\n',
    code: 'E_USER_SPACE',
    message: 'a process maps memory below 0xc0000000 (the top of user space); the kernel half above it is shared by every process',
    at: 'test.isl:5:12+10',
  },
  {
    title: 'a raw entry that points outside physical memory',
    text: 'raw {\n  phys 0x1000 entry 0x80000007\n}\n',
    code: 'E_OUTSIDE_MEMORY',
    message: 'the entry 0x80000007 maps physical address 0x80000000, beyond the 64 MiB (0x4000000 bytes) of memory',
    at: 'test.isl:2:21+10',
    notes: ['a raw entry must point at a frame that exists; raise "memory" in the machine block if you meant more'],
  },
  {
    title: 'a raw write outside physical memory',
    text: 'raw {\n  phys 0x8000000 u8 1\n}\n',
    code: 'E_OUTSIDE_MEMORY',
    message: 'physical address 0x8000000 is outside the 64 MiB (0x4000000 bytes) of memory',
    at: 'test.isl:2:8+9',
  },
  {
    title: 'a raw write that starts inside memory and runs past its end',
    text: 'raw {\n  phys 0x3fffffe u32 1\n}\n',
    code: 'E_OUTSIDE_MEMORY',
    message: 'physical address 0x3fffffe is outside the 64 MiB (0x4000000 bytes) of memory',
    at: 'test.isl:2:8+9',
  },
  {
    title: 'a kernel secret outside the direct map',
    text: ALICE + 'secret k "x" at 0x1000\n',
    code: 'E_OUTSIDE_MEMORY',
    message: "0x1000 is not a kernel direct-map address of this machine's memory",
    at: 'test.isl:2:17+6',
    notes: ['the direct map covers 0xffff888000000000..0xffff888004000000'],
  },
  {
    title: 'a kernel secret in the direct map but beyond installed memory',
    text: ALICE + 'secret k "x" at 0xffff888004000000\n',
    code: 'E_OUTSIDE_MEMORY',
    message: "0xffff888004000000 is not a kernel direct-map address of this machine's memory",
    at: 'test.isl:2:17+18',
    notes: ['the direct map covers 0xffff888000000000..0xffff888004000000'],
  },
  {
    title: "a process secret placed before the process maps its address",
    text: ALICE + 'secret pin "42" at 0x400000 in alice\nalice: map 0x400000 size 4 KiB rw\n',
    code: 'E_NOT_MAPPED',
    message: 'alice has nothing mapped at 0x400000 at this point; map it before placing the secret',
    at: 'test.isl:2:20+8',
  },
  {
    title: 'a process secret that runs past the end of its mapping',
    text: ALICE + 'alice: map 0x400000 size 4 KiB rw\nsecret pin "4242" at 0x400ffe in alice\n',
    code: 'E_NOT_MAPPED',
    message: 'alice has nothing mapped at 0x400ffe at this point; map it before placing the secret',
    at: 'test.isl:3:22+8',
  },
  {
    title: 'an unknown invariant',
    text: 'invariant tlb.coherant\n' + ALICE,
    code: 'E_UNKNOWN_INVARIANT',
    message: 'no invariant is named "tlb.coherant" (isolab list invariants shows them)',
    at: 'test.isl:1:11+12',
    notes: ['did you mean "tlb.coherent"?'],
  },
  {
    title: 'an unknown variant in a `when` condition',
    text: 'variant flush: on | off\n' + ALICE + 'alice: read 0x0 expect fault when flsh=on\n',
    variant: { flush: 'on' },
    code: 'E_UNKNOWN_VARIANT',
    message: '"flsh" is not a variant of this scenario',
    at: 'test.isl:3:35+4',
    notes: ['did you mean "flush"?'],
  },
  {
    title: 'an unknown variable',
    text: 'variant flush: on | off\nkernel {\n  switch { flush: $flsh }\n}\n',
    variant: { flush: 'on' },
    code: 'E_UNKNOWN_VARIANT',
    message: '$flsh is not a variant of this scenario',
    at: 'test.isl:3:19+5',
    notes: ['did you mean "$flush"?'],
  },
  {
    title: 'an unknown outcome word',
    text: ALICE + 'alice: read 0x0 expect fualt\n',
    code: 'E_UNKNOWN_OUTCOME',
    message:
      '"fualt" is not an outcome (expected one of: ok, value, fault, signal, leak, phys, cr2, returns, errno, prints, reads, tlb, entry, exits, oops, refused, violation, skipped, switched, timer)',
    at: 'test.isl:2:24+5',
    notes: ['did you mean "fault"?'],
  },
  {
    title: '`no ok`',
    text: ALICE + 'alice: read 0x0 expect no ok\n',
    code: 'E_NOT_NEGATABLE',
    message: '"no ok" means nothing; "no" goes with fault, signal, leak, oops, violation, exits, refused',
    at: 'test.isl:2:24+5',
  },
  {
    title: 'an unknown exception mnemonic',
    text: ALICE + 'alice: read 0x0 expect fault #PG\n',
    code: 'E_UNKNOWN_VECTOR',
    message: '#PG is not an exception isolab models',
    at: 'test.isl:2:30+3',
    notes: ['did you mean "#GP"?', 'modelled: #DE, #DB, NMI, #BP, #OF, #BR, #UD, #NM, #DF, #TS, #NP, #SS, #GP, #PF, #MF, #AC'],
  },
  {
    title: 'an unknown secret in an expectation',
    text: ALICE + 'secret kpass "x" at 0xffff888000001000\nalice: read 0x0 expect leak kpas\n',
    code: 'E_UNKNOWN_SECRET',
    message: 'no secret is named "kpas"',
    at: 'test.isl:3:29+4',
    notes: ['did you mean "kpass"?'],
  },
  {
    title: 'an unknown system call name (x86-64 table)',
    text: ALICE + 'alice: syscall getpdi\n',
    code: 'E_UNKNOWN_SYSCALL',
    message: '"getpdi" is not a system call of the x86_64 table',
    at: 'test.isl:2:16+6',
    notes: ['did you mean "getpid"?'],
  },
  {
    title: 'an unknown system call name after INT 0x80 (i386 table)',
    text: I386 + ALICE + 'alice: int 0x80 getpdi\n',
    code: 'E_UNKNOWN_SYSCALL',
    message: '"getpdi" is not a system call of the i386 table',
    at: 'test.isl:5:17+6',
    notes: ['did you mean "getpid"?'],
  },
  {
    title: 'a system call with too few arguments, with its synopsis',
    text: ALICE + 'alice: syscall openat(AT_FDCWD)\n',
    code: 'E_ARGUMENTS',
    message: 'openat takes 3 to 4 arguments, found 1',
    at: 'test.isl:2:23+8',
    notes: ['synopsis: openat(dirfd, pathname, flags[, mode])'],
  },
  {
    title: 'a system call with too many arguments',
    text: ALICE + 'alice: syscall getpid(1)\n',
    code: 'E_ARGUMENTS',
    message: 'getpid takes 0 arguments, found 1',
    at: 'test.isl:2:23+1',
    notes: ['synopsis: getpid()'],
  },
  {
    title: 'a bare system call name that needs arguments',
    text: ALICE + 'alice: syscall write\n',
    code: 'E_ARGUMENTS',
    message: 'write takes 3 arguments, found 0',
    at: 'test.isl:2:16+5',
    notes: ['synopsis: write(fd, buf, count)'],
  },
  {
    title: 'a number where a path goes',
    text: ALICE + 'alice: syscall chdir(O_RDONLY)\n',
    code: 'E_TYPE',
    message: 'expected a path ("/etc/shadow") or a user address, found O_RDONLY',
    at: 'test.isl:2:22+8',
  },
  {
    title: 'a string where a flag goes',
    text: ALICE + 'alice: syscall openat(AT_FDCWD, "/etc/passwd", "O_RDONLY")\n',
    code: 'E_TYPE',
    message: 'expected an integer or a constant (O_RDONLY, S_IRWXU, O_RDONLY|O_CLOEXEC), found "O_RDONLY"',
    at: 'test.isl:2:48+10',
  },
  {
    title: 'an unknown constant, with the nearest suggested',
    text: ALICE + 'alice: syscall openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXCE)\n',
    code: 'E_UNKNOWN_CONSTANT',
    message: '"O_CLOEXCE" is not a constant isolab knows',
    at: 'test.isl:2:57+9',
    notes: ['did you mean "O_CLOEXEC"?'],
  },
  {
    title: 'an unknown capability in capset',
    text: ALICE + 'alice: syscall capset(CAP_CHWON, CAP_CHOWN, 0)\n',
    code: 'E_UNKNOWN_CONSTANT',
    message: '"CAP_CHWON" is not a capability',
    at: 'test.isl:2:23+9',
    notes: ['did you mean "CAP_CHOWN"?'],
  },
  {
    title: 'an unknown errno in an expectation',
    text: ALICE + 'alice: syscall getpid expect errno EPREM\n',
    code: 'E_UNKNOWN_ERRNO',
    message: '"EPREM" is not an errno name isolab knows',
    at: 'test.isl:2:36+5',
    notes: ['did you mean "EPERM"?'],
  },
  {
    title: '"as NAME" after a call that makes no process',
    text: ALICE + 'alice: syscall getpid() as child\n',
    code: 'E_CONTEXT',
    message: 'only fork, vfork and clone make a process to name with "as"',
    at: 'test.isl:2:25+2',
  },
  {
    title: 'a fork child named like an existing process',
    text: ALICE + 'alice: syscall fork() as alice\n',
    code: 'E_DUPLICATE',
    message: 'a process is already named "alice"',
    at: 'test.isl:2:26+5',
  },
  {
    title: 'a relative path in the fs block',
    text: 'fs {\n  file "etc/motd" "hi"\n}\n' + ALICE,
    code: 'E_PATH',
    message: 'the file\'s path must be an absolute path, found "etc/motd"',
    at: 'test.isl:2:8+10',
    notes: ['write "/etc/motd" if you meant it from the root'],
  },
  {
    title: 'a relative working directory',
    text: 'process alice { uid: 1000, cwd: "home/alice" }\n',
    code: 'E_PATH',
    message: 'the working directory must be an absolute path, found "home/alice"',
    at: 'test.isl:1:33+12',
    notes: ['write "/home/alice" if you meant it from the root'],
  },
  {
    title: 'an effective capability outside the permitted set',
    text: 'process alice { uid: 1000, caps: CAP_CHOWN, effective: CAP_KILL }\n',
    code: 'E_CAPABILITIES',
    message: 'the effective set must be a subset of the permitted set (caps)',
    at: 'test.isl:1:45+9',
  },
  {
    title: 'swapout of an address that is not a page start',
    text: ALICE + 'kernel: swapout alice 0x400010\n',
    code: 'E_ALIGN',
    message: '0x400010 is not the start of a 4 KiB page',
    at: 'test.isl:2:23+8',
  },
  {
    title: '`int 0x80` without a system call',
    text: ALICE + 'alice: int 0x80\n',
    code: 'E_MISSING',
    message: 'INT 0x80 needs a system call: "int 0x80 getpid"',
    at: 'test.isl:2:8+3',
  },
  {
    title: 'an unknown instruction',
    text: ALICE + 'alice: exec hlat\n',
    code: 'E_UNKNOWN_INSTRUCTION',
    message: '"hlat" is not an instruction the simulator models',
    at: 'test.isl:2:13+4',
    notes: [
      'did you mean "hlt"?',
      'modelled: cli, sti, hlt, nop, ud2, lgdt, lidt, lldt, ltr, wbinvd, clts, swapgs, sgdt, sidt, sldt, str, smsw, stac, clac, rdpkru, int3, div0, cpuid, mov, wrmsr, rdmsr, in, out, invlpg, int, sysret, iret, ljmp, wrpkru',
    ],
  },
  {
    title: 'a map of an unknown shared region',
    text: ALICE + 'region mailbox size 4 KiB\nalice: map 0x400000 size 4 KiB rw shared mailbx\n',
    code: 'E_UNKNOWN_REGION',
    message: 'no region is named "mailbx"',
    at: 'test.isl:3:42+6',
    notes: ['did you mean "mailbox"?'],
  },
  {
    title: 'a protection key without IA-32e paging',
    text: I386 + ALICE + 'alice: map 0x400000 size 4 KiB rw pkey 1\n',
    code: 'E_PKEY',
    message: 'protection keys exist only with 4-level and 5-level paging',
    at: 'test.isl:5:8+3',
  },
  {
    title: '`with ac` on a user-mode step',
    text: ALICE + 'alice: read 0x0 with ac\n',
    code: 'E_CONTEXT',
    message: '"with ac" needs kernel mode: STAC is #UD at CPL 3; write "kernel in P:"',
    at: 'test.isl:2:8+4',
  },
  {
    title: '`in PROCESS` after a process actor',
    text: ALICE + 'alice in alice: read 0x0\n',
    code: 'E_CONTEXT',
    message: '"in PROCESS" goes only with the kernel actor: "kernel in attacker: …"',
    at: 'test.isl:2:10+5',
  },
  {
    title: 'a duplicate process',
    text: ALICE + ALICE,
    code: 'E_DUPLICATE',
    message: 'process alice is declared twice',
    at: 'test.isl:2:9+5',
  },
  {
    title: 'a process named like a reserved actor',
    text: 'process kernel { uid: 0 }\n',
    code: 'E_RESERVED',
    message: '"kernel" is a reserved actor name; choose another process name',
    at: 'test.isl:1:9+6',
  },
  {
    title: 'a duplicate variant',
    text: 'variant flush: on | off\nvariant flush: on\n',
    code: 'E_DUPLICATE',
    message: 'variant flush is declared twice',
    at: 'test.isl:2:9+5',
  },
  {
    title: 'two machine blocks',
    text: 'machine {\n  memory 64 MiB\n}\nmachine {\n  memory 32 MiB\n}\n',
    code: 'E_DUPLICATE',
    message: 'only one machine block is allowed (the first is at line 1)',
    at: 'test.isl:4:1+7',
  },
  {
    title: 'an unknown machine setting',
    text: 'machine {\n  memroy 64 MiB\n}\n',
    code: 'E_UNKNOWN_SETTING',
    message: '"memroy" is not a setting of the machine block (expected one of: cpu, paging, maxphyaddr, memory, tlb, alloc)',
    at: 'test.isl:2:3+6',
    notes: ['did you mean "memory"?'],
  },
  {
    title: 'paging that does not go with the CPU',
    text: 'machine {\n  cpu x86_64\n  paging 2-level\n}\n',
    code: 'E_INCOMPATIBLE',
    message: 'paging 2-level does not go with cpu x86_64',
    at: 'test.isl:3:10+7',
    notes: ['x86_64 uses 4-level or 5-level paging, i386 uses 2-level, teaching uses ostep-15'],
  },
  {
    title: 'a kernel step on a machine without a kernel',
    text: 'kernel {\n  none\n}\nkernel: read 0x0\n',
    code: 'E_NO_KERNEL',
    message: 'this machine has no kernel (kernel none), so "kernel:" steps cannot run',
    at: 'test.isl:4:1+6',
  },
  {
    title: 'processes on a machine without a kernel',
    text: 'kernel {\n  none\n}\n' + ALICE,
    code: 'E_NO_KERNEL',
    message: 'processes need a kernel; remove "none" from the kernel block',
    at: 'test.isl:4:1+27',
  },
  {
    title: 'an import cycle',
    text: 'import "a.isl"\n',
    files: { 'a.isl': 'import "test.isl"\n' },
    code: 'E_IMPORT_CYCLE',
    message: 'importing test.isl again would loop: test.isl -> a.isl -> test.isl',
    at: 'a.isl:1:8+10',
  },
  {
    title: 'a longer import cycle',
    text: 'import "a.isl"\n',
    files: { 'a.isl': 'import "b.isl"\n', 'b.isl': 'import "a.isl"\n' },
    code: 'E_IMPORT_CYCLE',
    message: 'importing a.isl again would loop: test.isl -> a.isl -> b.isl -> a.isl',
    at: 'b.isl:1:8+7',
  },
  {
    title: 'a header statement in an imported file',
    text: 'import "a.isl"\n',
    files: { 'a.isl': 'seed 3\n' },
    code: 'E_IMPORT',
    message: '"seed" belongs in the main scenario file, not in an imported one',
    at: 'a.isl:1:1+6',
  },
  {
    title: 'a repeat that expands past the step limit',
    text: ALICE + 'repeat 1000000 {\n  alice: read 0x0\n  alice: read 0x1\n}\n',
    code: 'E_LIMIT',
    message: 'repeat 1000000 expands to 2000000 steps, over the limit of 1000000',
    at: 'test.isl:2:8+7',
  },
  {
    title: 'nested repeats that multiply past the step limit',
    text: ALICE + 'repeat 1000 {\n  repeat 1001 {\n    alice: read 0x0\n  }\n}\n',
    code: 'E_LIMIT',
    message: 'repeat 1000 expands to 1001000 steps, over the limit of 1000000',
    at: 'test.isl:2:8+4',
  },
  {
    title: 'a repeat count above the step limit',
    text: ALICE + 'repeat 2000000 {\n  alice: read 0x0\n}\n',
    code: 'E_RANGE',
    message: 'a repeat count must be between 0 and 1000000, found 2000000',
    at: 'test.isl:2:8+7',
  },
];

describe('compile errors', () => {
  it.each(CATALOGUE)('$title → $code', (entry) => {
    const error = compileError(entry.text, entry.variant ?? {}, entry.files ?? {});
    const location = error.location!;
    expect({
      code: error.code,
      message: error.message,
      at: `${location.file}:${location.line}:${location.column}+${location.length}`,
      notes: error.notes,
    }).toEqual({ code: entry.code, message: entry.message, at: entry.at, notes: entry.notes ?? [] });
  });
});

describe('what compiles', () => {
  it('the same text without the mistake compiles: the checks are not over-eager', () => {
    const plan = compileText(
      ALICE +
        'alice: map 0x400000 size 8 KiB rw\n' +
        'secret pin "4242" at 0x400ffc in alice\n' +
        'alice: unmap 0x401000 size 4 KiB\n' +
        'alice: map 0x401000 size 4 KiB r\n' +
        'alice: protect 0x401000 size 4 KiB r\n' +
        'alice: map 0x7ffffffff000 size 4 KiB rw\n' +
        'alice: syscall getpid expect returns 1\n' +
        'alice: int 0x80 getpid expect ok\n' +
        'repeat 3 {\n  alice: read 0x400000\n}\n',
    );
    expect(plan.steps).toHaveLength(11);
    expect(plan.steps[1]!.text).toBe('secret pin "4242" at 0x400ffc in alice');
  });

  it('a map after an unmap of the same range is not an overlap', () => {
    expect(() => compileText(ALICE + 'alice: map 0x400000 size 4 KiB rw\nalice: unmap 0x400000 size 4 KiB\nalice: map 0x400000 size 4 KiB rw\n')).not.toThrow();
  });

  it('the same address in two processes is not an overlap', () => {
    expect(() => compileText(ALICE + 'process bob { uid: 1 }\nalice: map 0x400000 size 4 KiB rw\nbob: map 0x400000 size 4 KiB rw\n')).not.toThrow();
  });
});

describe('variant selection from outside the file', () => {
  const axes = variantAxes(loadText('variant flush: on | off\nvariant pcid: on | off\n'));

  it('expands every combination, first value first', () => {
    expect(variantMatrix(axes)).toEqual([
      { flush: 'on', pcid: 'on' },
      { flush: 'on', pcid: 'off' },
      { flush: 'off', pcid: 'on' },
      { flush: 'off', pcid: 'off' },
    ]);
    expect(variantMatrix(axes, { pcid: 'off' })).toEqual([
      { flush: 'on', pcid: 'off' },
      { flush: 'off', pcid: 'off' },
    ]);
  });

  it('refuses an unknown variant name with its suggestion and the variants there are', () => {
    const error = (() => {
      try {
        variantMatrix(axes, { flsh: 'on' });
      } catch (caught) {
        return caught as ScenarioError;
      }
      throw new Error('expected an error');
    })();
    expect([error.code, error.message, error.location, error.notes]).toEqual([
      'E_UNKNOWN_VARIANT',
      'the scenario has no variant "flsh"',
      null,
      ['did you mean "flush"?', 'its variants: flush (on|off), pcid (on|off)'],
    ]);
  });

  it('refuses an unknown value with the values there are', () => {
    expect(() => variantMatrix(axes, { flush: 'maybe' })).toThrow('variant flush has no value "maybe"');
  });
});

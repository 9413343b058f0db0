/**
 * What the checker's players can do, as fast-check arbitraries: every step kind the
 * language has, with arguments drawn from the world — mapped addresses (their own and
 * other processes'), kernel addresses, free user addresses, non-canonical ones;
 * privileged instructions; INT n; system calls by name and number; map, unmap and
 * protect; buggy kernel paths that dereference a user pointer; other processes going
 * about their business; the timer. In a world with a file system (an `fs` block), also
 * the kernel's file and credential calls, with paths, ids, fds and pids drawn from it. Actions are abstract (indices into pools), so they
 * shrink well; render.ts turns them into scenario lines against the world's state.
 */
import fc from 'fast-check';

export type AccessOp = 'read' | 'write' | 'jump';

export type Pool = 'own' | 'other' | 'kernel' | 'free' | 'noncanonical' | 'null';

export interface Target {
  readonly pool: Pool;
  readonly index: number;
  readonly offset: number;
}

export type Action =
  | { readonly kind: 'access'; readonly actor: number; readonly op: AccessOp; readonly target: Target; readonly size: 1 | 4 | 8; readonly value: number }
  | { readonly kind: 'kernel'; readonly actor: number; readonly op: AccessOp; readonly target: Target; readonly ac: boolean }
  | { readonly kind: 'exec'; readonly actor: number; readonly instruction: number; readonly target: Target }
  | { readonly kind: 'int'; readonly actor: number; readonly vector: number }
  | { readonly kind: 'syscall'; readonly actor: number; readonly call: number }
  | { readonly kind: 'map'; readonly actor: number; readonly slot: number; readonly pages: number; readonly perms: number; readonly user: boolean }
  | { readonly kind: 'unmap'; readonly actor: number; readonly which: number }
  | { readonly kind: 'protect'; readonly actor: number; readonly which: number; readonly perms: number }
  | { readonly kind: 'bystander'; readonly process: number; readonly op: 'read' | 'write'; readonly which: number }
  | { readonly kind: 'file'; readonly actor: number; readonly call: number; readonly a: number; readonly b: number }
  | { readonly kind: 'timer' };

/** Instruction templates; TARGET is replaced by an address from the action's target. */
export const INSTRUCTIONS = [
  'cli',
  'sti',
  'hlt',
  'mov cr3, 0x1000',
  'mov rax, cr3',
  'mov cr4, 0x0',
  'mov cr0, 0x80000011',
  'lgdt',
  'lidt',
  'wrmsr 0xc0000082, 0x0',
  'in 0x60',
  'out 0x60',
  'invlpg TARGET',
  'sgdt',
  'smsw',
  'stac',
  'clac',
  'ud2',
  'div0',
  'ljmp 0x10:TARGET',
  'iret 0x10:TARGET',
  'mov cs, 0x10',
  'sysret',
  'int3',
  'swapgs',
  'wbinvd',
] as const;

/**
 * File and credential calls; render.ts fills {path} and {path2} from the world's paths,
 * {id} from its ids, {fd} with a small descriptor and {pid} with a process of the world.
 */
export const FILE_CALLS = [
  'openat(AT_FDCWD, {path}, O_RDONLY)',
  'openat(AT_FDCWD, {path}, O_WRONLY)',
  'openat(AT_FDCWD, {path}, O_RDONLY|O_DIRECTORY)',
  'openat(AT_FDCWD, {path}, O_WRONLY|O_CREAT, 04755)',
  'read({fd}, buf, 64)',
  'close({fd})',
  'dup({fd})',
  'chdir({path})',
  'fchdir({fd})',
  'chroot({path})',
  'chmod({path}, 04777)',
  'chown({path}, {id}, {id})',
  'unlink({path})',
  'symlink({path}, {path2})',
  'rename({path}, {path2})',
  'mkdir({path}, 0755)',
  'access({path}, R_OK)',
  'execve({path})',
  'setuid({id})',
  'seteuid({id})',
  'setresuid({id}, {id}, {id})',
  'setgid({id})',
  'setfsuid({id})',
  'capset(none, none, none)',
  'prctl(PR_CAPBSET_DROP, CAP_SYS_CHROOT)',
  'prctl(PR_SET_KEEPCAPS, 1)',
  'kill({pid}, SIGKILL)',
] as const;

export const SYSCALLS = ['getpid', 'getppid', 'getuid', 'geteuid', 'gettid', 'sched_yield', 'write(1, "x", 1)', '39', '500'] as const;

const VECTORS = [0x80, 0x0e, 0x0d, 0x20, 0x03, 0x04, 0x00, 0x81, 0xff] as const;

export const PERMS = ['r', 'rw', 'r-x', 'rwx'] as const;

const target: fc.Arbitrary<Target> = fc.record({
  pool: fc.constantFrom<Pool>('own', 'own', 'other', 'other', 'kernel', 'kernel', 'free', 'noncanonical', 'null'),
  index: fc.nat({ max: 31 }),
  offset: fc.constantFrom(0, 0, 1, 8, 0xff8, 0xffc),
});

/** `files`: the world has a file system to draw paths from (file and credential calls join in). */
export function actionArbitrary(attackers: number, others: number, files = false): fc.Arbitrary<Action> {
  const actor = fc.nat({ max: Math.max(0, attackers - 1) });
  const arbitraries: fc.WeightedArbitrary<Action>[] = [
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant('access' as const),
        actor,
        op: fc.constantFrom<AccessOp>('read', 'read', 'write', 'jump'),
        target,
        size: fc.constantFrom<1 | 4 | 8>(1, 4, 8),
        value: fc.nat({ max: 0xff }),
      }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('kernel' as const), actor, op: fc.constantFrom<AccessOp>('read', 'write', 'jump'), target, ac: fc.boolean() }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('exec' as const), actor, instruction: fc.nat({ max: INSTRUCTIONS.length - 1 }), target }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('int' as const), actor, vector: fc.constantFrom(...VECTORS) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('syscall' as const), actor, call: fc.nat({ max: SYSCALLS.length - 1 }) }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('map' as const),
        actor,
        slot: fc.nat({ max: 7 }),
        pages: fc.integer({ min: 1, max: 2 }),
        perms: fc.nat({ max: PERMS.length - 1 }),
        user: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('unmap' as const), actor, which: fc.nat({ max: 7 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('protect' as const), actor, which: fc.nat({ max: 7 }), perms: fc.nat({ max: PERMS.length - 1 }) }) },
    { weight: 1, arbitrary: fc.constant<Action>({ kind: 'timer' }) },
  ];
  if (files) {
    arbitraries.push({
      weight: 6,
      arbitrary: fc.record({ kind: fc.constant('file' as const), actor, call: fc.nat({ max: FILE_CALLS.length - 1 }), a: fc.nat({ max: 31 }), b: fc.nat({ max: 31 }) }),
    });
  }
  if (others > 0) {
    arbitraries.push({
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('bystander' as const),
        process: fc.nat({ max: others - 1 }),
        op: fc.constantFrom<'read' | 'write'>('read', 'write'),
        which: fc.nat({ max: 15 }),
      }),
    });
  }
  return fc.oneof(...arbitraries);
}

export function actionsArbitrary(attackers: number, others: number, maxSteps: number, files = false): fc.Arbitrary<Action[]> {
  return fc.array(actionArbitrary(attackers, others, files), { minLength: 1, maxLength: maxSteps });
}

/**
 * The x32 ABI's own rows of arch/x86/entry/syscalls/syscall_64.tbl (data/syscalls/x86_64.tbl,
 * abi "x32") and the numbers of the rows marked "64" that x32 does not have. An x32 call is
 * made with __X32_SYSCALL_BIT (0x40000000) added to these numbers; the "common" rows are
 * shared with x86-64. Generated once from the table (engine/generated has no abi column).
 */

/** Numbers of the x86-64-only rows (abi "64"): not system calls on x32. */
export const X86_64_ONLY_NUMBERS: readonly number[] = [13, 15, 16, 19, 20, 45, 46, 47, 54, 55, 59, 101, 127, 128, 129, 131, 134, 156, 174, 177, 178, 180, 205, 206, 209, 211, 214, 215, 222, 236, 244, 246, 247, 273, 274, 278, 279, 295, 296, 297, 299, 307, 310, 311, 322, 327, 328];

/** [number without the x32 bit, name] of the rows with abi "x32". */
export const X32_ONLY_SYSCALLS: readonly (readonly [number, string])[] = [[512, "rt_sigaction"], [513, "rt_sigreturn"], [514, "ioctl"], [515, "readv"], [516, "writev"], [517, "recvfrom"], [518, "sendmsg"], [519, "recvmsg"], [520, "execve"], [521, "ptrace"], [522, "rt_sigpending"], [523, "rt_sigtimedwait"], [524, "rt_sigqueueinfo"], [525, "sigaltstack"], [526, "timer_create"], [527, "mq_notify"], [528, "kexec_load"], [529, "waitid"], [530, "set_robust_list"], [531, "get_robust_list"], [532, "vmsplice"], [533, "move_pages"], [534, "preadv"], [535, "pwritev"], [536, "rt_tgsigqueueinfo"], [537, "recvmmsg"], [538, "sendmmsg"], [539, "process_vm_readv"], [540, "process_vm_writev"], [541, "setsockopt"], [542, "getsockopt"], [543, "io_setup"], [544, "io_submit"], [545, "execveat"], [546, "preadv2"], [547, "pwritev2"]];

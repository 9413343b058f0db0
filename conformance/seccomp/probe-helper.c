/*
 * The real side of isolab's seccomp conformance: builds a seccomp filter with libseccomp
 * from already-resolved profile rules, prints the classic-BPF program libseccomp
 * generates, and asks the machine's kernel for its verdict on each probe (one system
 * call with its arguments) without ever letting the probed call run.
 *
 *   seccomp-probe < spec        build the filter, export it, run every probe
 *   seccomp-probe --check       can this machine run probes? (x86-64 and int 0x80)
 *
 * Spec lines (written by conformance/seccomp/real.ts; numbers in hex):
 *   default ACTION                         the filter's default action (32-bit seccomp ret)
 *   arch x86|x32                           an architecture added besides the native one
 *   rule ACTION NAME [INDEX:OP:A:B]...     one libseccomp rule; several conditions are ANDed
 *   probe ID x86_64|i386 NAME NR A0..A5    one probe: call NR (NAME, or #NR, only names it)
 *
 * The probe method: the stacked-filter trick. Each probe runs in a fresh forked child,
 * which sets no_new_privs and installs two filters:
 *   1. first (older), the probe filter: SECCOMP_RET_ERRNO|4093 for every call, except
 *      on x86-64 write, exit, exit_group and rt_sigreturn (the child's report) and
 *      prctl(PR_SET_SECCOMP, …) (to install the second filter);
 *   2. then (newer), the profile's filter, the exact program libseccomp exported.
 * seccomp(2): "If multiple filters exist, they are all executed, in reverse order of
 * their addition ... The return value for the evaluation of a given system call is the
 * first-seen action value of highest precedence (along with its accompanying data)"
 * (kernel/seccomp.c seccomp_run_filters keeps a result only when a later one is strictly
 * more restrictive). The profile's filter runs first, so for the probed call:
 *   - it allows (or answers LOG, TRACE, USER_NOTIF: all less restrictive than ERRNO):
 *     the probe filter's ERRNO(4093) wins, the call fails with errno 4093 → "allow";
 *   - it answers ERRNO(N): same action, the newer filter's data wins → errno N;
 *   - it answers TRAP: more restrictive, SIGSYS reaches the child's handler → "trap";
 *   - it answers KILL_THREAD or KILL_PROCESS: the child dies of SIGSYS → "kill".
 * In every case the kernel never executes the probed call (ERRNO, TRAP and KILL all stop
 * it before the system call table). A profile answering ERRNO(4093) itself would read
 * as "allow"; the profiles probed here never do.
 *
 * Output: JSON lines on stdout. The child dumps no core (RLIMIT_CORE 0, not dumpable)
 * and writes nothing but its report; nothing is created outside the process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROBE_ERRNO 4093
#define MAX_LINE 4096
#define MAX_CONDITIONS 6
#define I386_GETPID 20

enum verdict_kind { VERDICT_ALLOW = 1, VERDICT_ERRNO, VERDICT_TRAP, VERDICT_RAN, VERDICT_SETUP };

/* What a probe child writes to its pipe before it exits. */
struct probe_record {
  int kind;
  long value;
  int trapped_syscall;
  unsigned trapped_arch;
};

static int record_fd = -1;

static void fail(const char *what, int error) {
  printf("{\"event\":\"error\",\"step\":\"%s\",\"errno\":%d}\n", what, error);
  exit(2);
}

/* ------------------------------------------------------------------ the probe filter */

static struct sock_filter probe_filter_code[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 10),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_write, 11, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit, 10, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, 9, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_rt_sigreturn, 8, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_prctl, 0, 4),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_SECCOMP, 0, 2),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]) + 4),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | PROBE_ERRNO),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | PROBE_ERRNO),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
static struct sock_fprog probe_filter = {sizeof(probe_filter_code) / sizeof(probe_filter_code[0]), probe_filter_code};

/* ------------------------------------------------------------------ the raw calls */

/*
 * An i386 system call through int 0x80 from 64-bit code: the kernel takes the compat
 * entry and seccomp sees AUDIT_ARCH_I386 and the 32-bit registers (ebx, ecx, edx, esi,
 * edi, ebp). 32-bit register writes zero-extend, so the arguments are exactly the
 * 32-bit values. rbp is saved by hand (the helper is built with -mno-red-zone).
 */
static long int80(unsigned nr, const uint64_t *args) {
  unsigned eax = nr;
  register uint64_t sixth asm("r8") = (uint32_t)args[5];
  __asm__ volatile("push %%rbp\n\tmov %%r8d, %%ebp\n\tint $0x80\n\tpop %%rbp"
                   : "+a"(eax)
                   : "b"((uint32_t)args[0]), "c"((uint32_t)args[1]), "d"((uint32_t)args[2]), "S"((uint32_t)args[3]), "D"((uint32_t)args[4]), "r"(sixth)
                   : "memory", "cc", "r9", "r10", "r11");
  return (int)eax;
}

/* The raw result: -errno for a failure, as the kernel returns it. */
static long raw_call(int is_i386, long nr, const uint64_t *args) {
  if (is_i386) return int80((unsigned)nr, args);
  long ret = syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
  return ret == -1 ? -errno : ret;
}

/* ------------------------------------------------------------------ one probe, in a child */

static void write_record(int kind, long value, int trapped_syscall, unsigned trapped_arch) {
  struct probe_record record = {kind, value, trapped_syscall, trapped_arch};
  if (write(record_fd, &record, sizeof record) < 0) _exit(3);
}

static void on_sigsys(int signal, siginfo_t *info, void *context) {
  (void)signal;
  (void)context;
  write_record(VERDICT_TRAP, info->si_errno, info->si_syscall, info->si_arch);
  _exit(0);
}

/* The child's whole life: never returns. */
static void probe_child(const struct sock_fprog *profile, int is_i386, long nr, const uint64_t *args) {
  struct rlimit no_core = {0, 0};
  struct sigaction trap = {0};
  trap.sa_sigaction = on_sigsys;
  trap.sa_flags = SA_SIGINFO;
  alarm(5);
  if (setrlimit(RLIMIT_CORE, &no_core) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || sigaction(SIGSYS, &trap, NULL) != 0) {
    write_record(VERDICT_SETUP, errno, 0, 0);
    _exit(0);
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &probe_filter, 0, 0) != 0) {
    write_record(VERDICT_SETUP, errno, 1, 0);
    _exit(0);
  }
  if (profile != NULL && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, profile, 0, 0) != 0) {
    write_record(VERDICT_SETUP, errno, 2, 0);
    _exit(0);
  }
  long ret = raw_call(is_i386, nr, args);
  if (ret == -PROBE_ERRNO) write_record(VERDICT_ALLOW, 0, 0, 0);
  else if (ret < 0 && ret >= -4095) write_record(VERDICT_ERRNO, -ret, 0, 0);
  else write_record(VERDICT_RAN, ret, 0, 0);
  _exit(0);
}

/* Forks a child for one probe and prints its verdict as the fields of a JSON object. */
static void run_probe(const struct sock_fprog *profile, int is_i386, long nr, const uint64_t *args) {
  int fds[2];
  if (pipe(fds) != 0) fail("pipe", errno);
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) fail("fork", errno);
  if (pid == 0) {
    close(fds[0]);
    record_fd = fds[1];
    probe_child(profile, is_i386, nr, args);
  }
  close(fds[1]);
  struct probe_record record;
  ssize_t got = read(fds[0], &record, sizeof record);
  close(fds[0]);
  int status;
  if (waitpid(pid, &status, 0) != pid) fail("waitpid", errno);
  if (got == (ssize_t)sizeof record) {
    switch (record.kind) {
    case VERDICT_ALLOW: printf("\"verdict\":\"allow\""); return;
    case VERDICT_ERRNO: printf("\"verdict\":\"errno\",\"errno\":%ld", record.value); return;
    case VERDICT_TRAP: printf("\"verdict\":\"trap\",\"data\":%ld,\"syscall\":%d,\"arch\":%u", record.value, record.trapped_syscall, record.trapped_arch); return;
    case VERDICT_RAN: printf("\"verdict\":\"ran\",\"ret\":%ld", record.value); return;
    default: printf("\"verdict\":\"setup\",\"errno\":%ld,\"stage\":%d", record.value, record.trapped_syscall); return;
    }
  }
  if (WIFSIGNALED(status)) printf("\"verdict\":\"kill\",\"signal\":%d", WTERMSIG(status));
  else printf("\"verdict\":\"lost\",\"status\":%d", status);
}

/* ------------------------------------------------------------------ the spec */

static uint32_t hex32(const char *text) { return (uint32_t)strtoul(text, NULL, 16); }
static uint64_t hex64(const char *text) { return (uint64_t)strtoull(text, NULL, 16); }

static enum scmp_compare operator_of(const char *name) {
  static const struct { const char *name; enum scmp_compare op; } table[] = {
      {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE}, {"SCMP_CMP_EQ", SCMP_CMP_EQ},
      {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT}, {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp(table[i].name, name) == 0) return table[i].op;
  fail("spec: unknown operator", EINVAL);
  return SCMP_CMP_EQ;
}

/* "rule ACTION NAME [INDEX:OP:A:B]...": adds it, prints what libseccomp said. */
static void add_rule(scmp_filter_ctx filter, char *rest) {
  char *save = NULL;
  uint32_t action = hex32(strtok_r(rest, " ", &save));
  char *name = strtok_r(NULL, " ", &save);
  struct scmp_arg_cmp conditions[MAX_CONDITIONS];
  unsigned count = 0;
  for (char *token = strtok_r(NULL, " ", &save); token != NULL; token = strtok_r(NULL, " ", &save)) {
    if (count == MAX_CONDITIONS) fail("spec: too many conditions", EINVAL);
    char *fields[4];
    char *inner = NULL;
    fields[0] = strtok_r(token, ":", &inner);
    for (int i = 1; i < 4; i++) fields[i] = strtok_r(NULL, ":", &inner);
    if (fields[3] == NULL) fail("spec: condition needs INDEX:OP:A:B", EINVAL);
    conditions[count++] = (struct scmp_arg_cmp){(unsigned)strtoul(fields[0], NULL, 10), operator_of(fields[1]), hex64(fields[2]), hex64(fields[3])};
  }
  int nr = seccomp_syscall_resolve_name(name);
  printf("{\"event\":\"rule\",\"name\":\"%s\",\"nr\":%d", name, nr);
  if (nr == __NR_SCMP_ERROR) {
    printf(",\"added\":false}\n");
    return;
  }
  int rc = seccomp_rule_add_array(filter, action, nr, count, conditions);
  printf(",\"added\":%s,\"rc\":%d}\n", rc == 0 ? "true" : "false", rc);
}

/* The program libseccomp would load, read back through a memory file. */
static struct sock_fprog export_program(scmp_filter_ctx filter) {
  int fd = memfd_create("isolab-seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0) fail("memfd_create", errno);
  int rc = seccomp_export_bpf(filter, fd);
  if (rc != 0) fail("seccomp_export_bpf", -rc);
  off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0 || size % sizeof(struct sock_filter) != 0) fail("seccomp_export_bpf size", EINVAL);
  struct sock_filter *code = malloc((size_t)size);
  if (code == NULL || pread(fd, code, (size_t)size, 0) != size) fail("read exported program", errno);
  close(fd);
  printf("{\"event\":\"program\",\"hex\":\"");
  for (off_t i = 0; i < size; i++) printf("%02x", ((unsigned char *)code)[i]);
  printf("\"}\n");
  return (struct sock_fprog){(unsigned short)(size / sizeof(struct sock_filter)), code};
}

/* "probe ID ABI NAME NR A0..A5": makes call NR; NAME is only resolved, to report libseccomp's number for it. */
static void probe_line(const struct sock_fprog *profile, char *rest) {
  char *save = NULL;
  char *id = strtok_r(rest, " ", &save);
  char *abi = strtok_r(NULL, " ", &save);
  char *name = strtok_r(NULL, " ", &save);
  char *number = strtok_r(NULL, " ", &save);
  uint64_t args[6] = {0};
  for (int i = 0; i < 6; i++) {
    char *token = strtok_r(NULL, " ", &save);
    if (token == NULL) fail("spec: a probe needs a name, a number and six arguments", EINVAL);
    args[i] = hex64(token);
  }
  int is_i386 = strcmp(abi, "i386") == 0;
  long nr = strtol(number, NULL, 16);
  printf("{\"event\":\"probe\",\"id\":\"%s\",\"nr\":%ld,", id, nr);
  if (name[0] != '#') printf("\"resolved\":%d,", seccomp_syscall_resolve_name_arch(is_i386 ? SCMP_ARCH_X86 : SCMP_ARCH_X86_64, name));
  run_probe(profile, is_i386, nr, args);
  printf("}\n");
}

static int run_spec(void) {
  static char line[MAX_LINE];
  scmp_filter_ctx filter = NULL;
  struct sock_fprog profile = {0, NULL};
  const struct scmp_version *version = seccomp_version();
  printf("{\"event\":\"libseccomp\",\"version\":\"%u.%u.%u\"}\n", version->major, version->minor, version->micro);
  while (fgets(line, sizeof line, stdin) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    char *rest = strchr(line, ' ');
    if (rest == NULL) continue;
    *rest++ = '\0';
    if (strcmp(line, "default") == 0) {
      filter = seccomp_init(hex32(rest));
      if (filter == NULL) fail("seccomp_init", EINVAL);
    } else if (filter == NULL) {
      fail("spec: the default action comes first", EINVAL);
    } else if (strcmp(line, "arch") == 0) {
      uint32_t arch = strcmp(rest, "x86") == 0 ? SCMP_ARCH_X86 : strcmp(rest, "x32") == 0 ? SCMP_ARCH_X32 : 0;
      int rc = arch == 0 ? -EINVAL : seccomp_arch_add(filter, arch);
      if (rc != 0 && rc != -EEXIST) fail("seccomp_arch_add", -rc);
    } else if (strcmp(line, "rule") == 0) {
      add_rule(filter, rest);
    } else if (strcmp(line, "probe") == 0) {
      if (profile.filter == NULL) profile = export_program(filter);
      probe_line(&profile, rest);
    } else {
      fail("spec: unknown line", EINVAL);
    }
    fflush(stdout);
  }
  if (filter != NULL && profile.filter == NULL) export_program(filter);
  printf("{\"event\":\"done\"}\n");
  return 0;
}

/* ------------------------------------------------------------------ --check */

/* Probes with the probe filter alone: every call should read errno 4093. */
static int run_check(void) {
  const uint64_t none[6] = {0};
  printf("{\"event\":\"check\",\"x86_64\":{");
  run_probe(NULL, 0, __NR_getppid, none);
  printf("},\"i386\":{");
  run_probe(NULL, 1, I386_GETPID, none);
  printf("}}\n");
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  if (argc == 2 && strcmp(argv[1], "--check") == 0) return run_check();
  return run_spec();
}

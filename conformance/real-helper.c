/*
 * The real side of isolab's conformance suite: runs one case of conformance/cases.ts on
 * the machine's own Linux kernel and prints what happened as JSON lines.
 *
 *   real-helper TMPDIR < case.spec    run a case (the spec is written by conformance/spec.ts)
 *   real-helper --machine             print the machine's capabilities and header constants
 *
 * Isolation, in this order, before anything of the case is created:
 *   1. unshare(CLONE_NEWNS) and make every mount private, so nothing propagates out;
 *   2. mount a fresh tmpfs on TMPDIR (visible only in this namespace: the host's
 *      directory stays empty) and pivot_root into it, then detach the old root;
 *      from here on "/" is the case's tmpfs and no path, "..", symlink or fd reaches
 *      the host's files (the only descriptors kept are stdio and the helper's own
 *      executable, opened for copying probes);
 *   3. build the case's tree, mounts, working directory and credentials;
 *   4. make each call with syscall(2), the raw system call, never a libc wrapper.
 * When the process exits, the namespace and its tmpfs vanish with it.
 *
 * A file marked "probe" gets this very program as its content (it is linked
 * statically, so it runs in the case's tree): a case can execve it, set-user-ID or with
 * file capabilities, and the probe reports the credentials the kernel gave it.
 *
 * Output, one JSON object per line on fd 500 (a copy of stdout; fd 1 is redirected to
 * stderr so that a case writing to fd 1 cannot corrupt the report; the only other
 * descriptor, the helper's own executable, sits at fd 501). Strings that come
 * from the case (paths, buffers) are hex, so no escaping is needed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/prctl.h>
#include <linux/securebits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define REPORT_FD 500
#define SELF_EXE_FD 501
#define PROBE_ENV "ISOLAB_CONFORMANCE_PROBE=1"
#define MAX_ARGS 6
#define MAX_GROUPS 65536

static FILE *report;

/* ------------------------------------------------------------------ output */

static void print_hex(const unsigned char *bytes, size_t length) {
  fputc('"', report);
  for (size_t i = 0; i < length; i++) fprintf(report, "%02x", bytes[i]);
  fputc('"', report);
}

static void setup_error(const char *step, int error) {
  fprintf(report, "{\"event\":\"setup_error\",\"step\":\"%s\",\"errno\":%d}\n", step, error);
  fflush(report);
  _exit(2);
}

static void check(long result, const char *step) {
  if (result < 0) setup_error(step, errno);
}

/* ------------------------------------------------------------------ parsing */

/* "x" followed by hex digits: the bytes, NUL-terminated. */
static char *unhex(const char *token, size_t *length_out) {
  if (token[0] != 'x') setup_error("spec: expected a hex string", EINVAL);
  size_t digits = strlen(token + 1);
  char *bytes = calloc(digits / 2 + 1, 1);
  for (size_t i = 0; i + 1 < digits; i += 2) {
    unsigned value;
    if (sscanf(token + 1 + i, "%2x", &value) != 1) setup_error("spec: bad hex string", EINVAL);
    bytes[i / 2] = (char)value;
  }
  if (length_out != NULL) *length_out = digits / 2;
  return bytes;
}

static unsigned long long number(const char *token) {
  return strtoull(token, NULL, 0);
}

/* ------------------------------------------------------------------ credentials */

struct creds {
  unsigned ruid, euid, suid, fsuid, rgid, egid, sgid, fsgid;
  int ngroups;
  gid_t groups[MAX_GROUPS];
  unsigned long long permitted, effective, inheritable, bounding, ambient;
  long securebits, nnp;
};

static int last_cap(void) {
  int cap = 0;
  while (cap < 64 && syscall(SYS_prctl, PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0) cap++;
  return cap;
}

static void capget_v3(unsigned long long *permitted, unsigned long long *effective, unsigned long long *inheritable) {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  syscall(SYS_capget, &header, data);
  *permitted = data[0].permitted | ((unsigned long long)data[1].permitted << 32);
  *effective = data[0].effective | ((unsigned long long)data[1].effective << 32);
  *inheritable = data[0].inheritable | ((unsigned long long)data[1].inheritable << 32);
}

static long capset_v3(unsigned long long effective, unsigned long long permitted, unsigned long long inheritable) {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {
      {(uint32_t)effective, (uint32_t)permitted, (uint32_t)inheritable},
      {(uint32_t)(effective >> 32), (uint32_t)(permitted >> 32), (uint32_t)(inheritable >> 32)},
  };
  return syscall(SYS_capset, &header, data);
}

static void read_creds(struct creds *c) {
  syscall(SYS_getresuid, &c->ruid, &c->euid, &c->suid);
  syscall(SYS_getresgid, &c->rgid, &c->egid, &c->sgid);
  /* setfsuid(-1) changes nothing (-1 is not a valid id) and returns the current fsuid. */
  c->fsuid = (unsigned)syscall(SYS_setfsuid, -1);
  c->fsgid = (unsigned)syscall(SYS_setfsgid, -1);
  c->ngroups = (int)syscall(SYS_getgroups, MAX_GROUPS, c->groups);
  capget_v3(&c->permitted, &c->effective, &c->inheritable);
  c->bounding = 0;
  c->ambient = 0;
  int last = last_cap();
  for (int cap = 0; cap <= last; cap++) {
    if (syscall(SYS_prctl, PR_CAPBSET_READ, cap, 0, 0, 0) == 1) c->bounding |= 1ULL << cap;
    if (syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1) c->ambient |= 1ULL << cap;
  }
  c->securebits = syscall(SYS_prctl, PR_GET_SECUREBITS, 0, 0, 0, 0);
  c->nnp = syscall(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
}

static void print_creds(const char *event, const struct creds *c) {
  fprintf(report, "{\"event\":\"%s\",\"ruid\":%u,\"euid\":%u,\"suid\":%u,\"fsuid\":%u,", event, c->ruid, c->euid, c->suid, c->fsuid);
  fprintf(report, "\"rgid\":%u,\"egid\":%u,\"sgid\":%u,\"fsgid\":%u,\"groups\":[", c->rgid, c->egid, c->sgid, c->fsgid);
  for (int i = 0; i < c->ngroups; i++) fprintf(report, "%s%u", i == 0 ? "" : ",", (unsigned)c->groups[i]);
  fprintf(report, "],\"permitted\":\"0x%llx\",\"effective\":\"0x%llx\",\"inheritable\":\"0x%llx\",", c->permitted, c->effective, c->inheritable);
  fprintf(report, "\"bounding\":\"0x%llx\",\"ambient\":\"0x%llx\",\"securebits\":%ld,\"noNewPrivs\":%ld}\n", c->bounding, c->ambient, c->securebits, c->nnp);
  fflush(report);
}

/* What the case asks the process to start with. */
struct wanted {
  unsigned uids[4], gids[4];
  int ngroups;
  gid_t groups[MAX_GROUPS];
  unsigned long long permitted, effective, inheritable, bounding, ambient;
  long securebits, nnp;
  int have_creds;
};

/*
 * From root with every capability to the wanted credentials. The order matters:
 * groups and gids while CAP_SETGID is effective; the inheritable set before the
 * bounding set shrinks (capset only adds inheritable capabilities that are in the
 * bounding set); KEEP_CAPS across setresuid so the permitted set survives the change
 * of uid (capabilities(7), "Effect of user ID changes on capabilities"); ambient
 * capabilities after setresuid, which clears them when every uid leaves 0; securebits
 * while CAP_SETPCAP is still effective; the final capset last.
 */
static void apply_creds(const struct wanted *w) {
  unsigned long long all_permitted, all_effective, all_inheritable;
  check(syscall(SYS_setgroups, w->ngroups, w->groups), "setgroups");
  check(syscall(SYS_setresgid, w->gids[0], w->gids[1], w->gids[2]), "setresgid");
  syscall(SYS_setfsgid, w->gids[3]);
  capget_v3(&all_permitted, &all_effective, &all_inheritable);
  check(capset_v3(all_permitted, all_permitted, w->inheritable), "capset (inheritable)");
  int last = last_cap();
  for (int cap = 0; cap <= last; cap++) {
    if (!(w->bounding & (1ULL << cap))) check(syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0), "prctl(PR_CAPBSET_DROP)");
  }
  check(syscall(SYS_prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)");
  check(syscall(SYS_setresuid, w->uids[0], w->uids[1], w->uids[2]), "setresuid");
  check(capset_v3(all_permitted, all_permitted, w->inheritable), "capset (regain)");
  syscall(SYS_setfsuid, w->uids[3]);
  for (int cap = 0; cap <= last; cap++) {
    if (w->ambient & (1ULL << cap)) check(syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0), "prctl(PR_CAP_AMBIENT_RAISE)");
  }
  check(syscall(SYS_prctl, PR_SET_SECUREBITS, w->securebits, 0, 0, 0), "prctl(PR_SET_SECUREBITS)");
  check(capset_v3(w->effective, w->permitted, w->inheritable), "capset (final)");
  if (w->nnp) check(syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)");
}

static int same_groups(const struct wanted *w, const struct creds *c) {
  if (w->ngroups != c->ngroups) return 0;
  for (int i = 0; i < c->ngroups; i++) {
    int found = 0;
    for (int j = 0; j < w->ngroups; j++) found |= w->groups[j] == c->groups[i];
    if (!found) return 0;
  }
  return 1;
}

/* Refuses to run a case whose starting credentials the kernel did not give exactly. */
static void verify_creds(const struct wanted *w) {
  struct creds c;
  read_creds(&c);
  int same = c.ruid == w->uids[0] && c.euid == w->uids[1] && c.suid == w->uids[2] && c.fsuid == w->uids[3] && c.rgid == w->gids[0] &&
             c.egid == w->gids[1] && c.sgid == w->gids[2] && c.fsgid == w->gids[3] && same_groups(w, &c) && c.permitted == w->permitted &&
             c.effective == w->effective && c.inheritable == w->inheritable && c.bounding == w->bounding && c.ambient == w->ambient &&
             c.securebits == w->securebits && c.nnp == w->nnp;
  if (!same) {
    print_creds("got_creds", &c);
    setup_error("the starting credentials differ from the case's", 0);
  }
}

/* ------------------------------------------------------------------ the tree */

static int self_exe = -1;

static void copy_self(const char *path) {
  int out = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0700);
  check(out, "create probe");
  char buffer[65536];
  off_t offset = 0;
  ssize_t got;
  while ((got = pread(self_exe, buffer, sizeof buffer, offset)) > 0) {
    if (write(out, buffer, (size_t)got) != got) setup_error("write probe", errno);
    offset += got;
  }
  check(got, "read /proc/self/exe");
  close(out);
}

static void own(const char *path, const char *mode, const char *uid, const char *gid, int is_link) {
  check(syscall(SYS_fchownat, AT_FDCWD, path, (unsigned)number(uid), (unsigned)number(gid), AT_SYMLINK_NOFOLLOW), "chown");
  if (!is_link) check(syscall(SYS_fchmodat, AT_FDCWD, path, (mode_t)number(mode)), "chmod");
}

/* dir|file|probe|symlink|chardev|fifo PATH MODE UID GID [CONTENT|TARGET] */
static void make_entry(char **tokens, int count) {
  const char *kind = tokens[0];
  char *path = unhex(tokens[1], NULL);
  if (count < 5) setup_error("spec: short entry", EINVAL);
  if (strcmp(kind, "dir") == 0) {
    if (strcmp(path, "/") != 0) check(mkdir(path, 0700), "mkdir");
  } else if (strcmp(kind, "file") == 0) {
    size_t length = 0;
    char *content = count > 5 ? unhex(tokens[5], &length) : calloc(1, 1);
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    check(fd, "create file");
    if (write(fd, content, length) != (ssize_t)length) setup_error("write file", errno);
    close(fd);
    free(content);
  } else if (strcmp(kind, "probe") == 0) {
    copy_self(path);
  } else if (strcmp(kind, "symlink") == 0) {
    char *target = unhex(tokens[5], NULL);
    check(symlink(target, path), "symlink");
    free(target);
  } else if (strcmp(kind, "chardev") == 0) {
    /* Every device node is a null device: a case that opens one touches nothing. */
    check(mknod(path, S_IFCHR | 0600, makedev(1, 3)), "mknod chardev");
  } else if (strcmp(kind, "fifo") == 0) {
    check(mknod(path, S_IFIFO | 0600, 0), "mknod fifo");
  } else {
    setup_error("spec: unknown entry kind", EINVAL);
  }
  own(path, tokens[2], tokens[3], tokens[4], strcmp(kind, "symlink") == 0);
  free(path);
}

/* fcaps PATH PERMITTED INHERITABLE EFFECTIVE: the security.capability attribute, revision 2. */
static void file_caps(char **tokens) {
  char *path = unhex(tokens[1], NULL);
  unsigned long long permitted = number(tokens[2]), inheritable = number(tokens[3]);
  struct vfs_cap_data data;
  memset(&data, 0, sizeof data);
  data.magic_etc = VFS_CAP_REVISION_2 | (number(tokens[4]) ? VFS_CAP_FLAGS_EFFECTIVE : 0);
  data.data[0].permitted = (uint32_t)permitted;
  data.data[0].inheritable = (uint32_t)inheritable;
  data.data[1].permitted = (uint32_t)(permitted >> 32);
  data.data[1].inheritable = (uint32_t)(inheritable >> 32);
  check(setxattr(path, "security.capability", &data, XATTR_CAPS_SZ_2, 0), "setxattr security.capability");
  free(path);
}

/* mount bind SOURCE TARGET FLAGS | mount tmpfs TARGET FLAGS (flags: MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC) */
static void make_mount(char **tokens, int count) {
  if (count >= 5 && strcmp(tokens[1], "bind") == 0) {
    char *source = unhex(tokens[2], NULL), *target = unhex(tokens[3], NULL);
    unsigned long flags = number(tokens[4]);
    check(mount(source, target, NULL, MS_BIND, NULL), "bind mount");
    if (flags != 0) check(mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags, NULL), "bind remount");
    free(source);
    free(target);
  } else if (count >= 4 && strcmp(tokens[1], "tmpfs") == 0) {
    char *target = unhex(tokens[2], NULL);
    check(mount("tmpfs", target, "tmpfs", number(tokens[3]), "mode=1777"), "tmpfs mount");
    free(target);
  } else {
    setup_error("spec: bad mount line", EINVAL);
  }
}

/* Every inode the tree holds, as "dev:ino" → path, so a stat result names the place it found. */
static void print_inode(const char *path, int first) {
  struct stat st;
  if (lstat(path, &st) != 0) return;
  fprintf(report, "%s[\"%llu:%llu\",", first ? "" : ",", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
  print_hex((const unsigned char *)path, strlen(path));
  fputc(']', report);
}

/* ------------------------------------------------------------------ isolation */

static void enter_tmpfs_root(const char *tmpdir) {
  check(unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)");
  check(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "make / private");
  check(mount("isolab-conformance", tmpdir, "tmpfs", 0, "mode=0755"), "tmpfs on the temporary directory");
  /* Kept far above the fds a case opens, so the case's first open still returns 3. */
  int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  check(exe, "open /proc/self/exe");
  self_exe = fcntl(exe, F_DUPFD_CLOEXEC, SELF_EXE_FD);
  check(self_exe, "move the /proc/self/exe fd");
  close(exe);
  check(chdir(tmpdir), "chdir to the temporary directory");
  /* pivot_root(".", "."): the old root ends up stacked on ".", then is detached (pivot_root(2), NOTES). */
  check(syscall(SYS_pivot_root, ".", "."), "pivot_root into the temporary directory");
  check(umount2(".", MNT_DETACH), "detach the old root");
  check(chdir("/"), "chdir /");
}

/* ------------------------------------------------------------------ calls */

struct call_buffers {
  unsigned char *out[MAX_ARGS];
  size_t out_size[MAX_ARGS];
};

static void exec_args(char **tokens, int argc, long *args) {
  /* execve(path, argv...): the strings after the path are argv; no strings means argv = { path }. */
  char **argv = calloc((size_t)argc + 1, sizeof *argv);
  int n = 0;
  for (int k = 1; k < argc; k++) argv[n++] = unhex(tokens[k] + 2, NULL);
  if (n == 0) argv[n++] = (char *)args[0];
  static char *envp[] = {PROBE_ENV, NULL};
  args[1] = (long)argv;
  args[2] = (long)envp;
}

/*
 * call NR NAME ARGC ARG... where ARG is i:NUMBER, s:xHEX (a NUL-terminated string),
 * o:SIZE (a zeroed output buffer, reported after the call), g:N:ID,ID (an array of
 * gid_t), h: (a capability header, version 3) or c:E:P:I (capability data for capset).
 */
static void make_call(int index, char **tokens, int count) {
  long nr = (long)number(tokens[1]);
  const char *name = tokens[2];
  int argc = (int)number(tokens[3]);
  if (count < 4 + argc) setup_error("spec: short call line", EINVAL);
  long args[MAX_ARGS] = {0};
  struct call_buffers buffers;
  memset(&buffers, 0, sizeof buffers);
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct cap_data[2];
  memset(cap_data, 0, sizeof cap_data);
  for (int k = 0; k < argc && k < MAX_ARGS; k++) {
    char *arg = tokens[4 + k];
    if (strncmp(arg, "i:", 2) == 0) {
      args[k] = (long)number(arg + 2);
    } else if (strncmp(arg, "s:", 2) == 0) {
      args[k] = (long)unhex(arg + 2, NULL);
    } else if (strncmp(arg, "o:", 2) == 0) {
      buffers.out_size[k] = (size_t)number(arg + 2);
      buffers.out[k] = calloc(buffers.out_size[k] + 1, 1);
      args[k] = (long)buffers.out[k];
    } else if (strncmp(arg, "g:", 2) == 0) {
      int n = (int)strtol(arg + 2, &arg, 10);
      gid_t *list = calloc((size_t)n + 1, sizeof *list);
      for (int g = 0; g < n; g++) list[g] = (gid_t)strtoul(arg + 1, &arg, 10);
      args[k] = (long)list;
    } else if (strncmp(arg, "h:", 2) == 0) {
      args[k] = (long)&header;
    } else if (strncmp(arg, "c:", 2) == 0) {
      unsigned long long e = strtoull(arg + 2, &arg, 0), p = strtoull(arg + 1, &arg, 0), i = strtoull(arg + 1, &arg, 0);
      cap_data[0] = (struct __user_cap_data_struct){(uint32_t)e, (uint32_t)p, (uint32_t)i};
      cap_data[1] = (struct __user_cap_data_struct){(uint32_t)(e >> 32), (uint32_t)(p >> 32), (uint32_t)(i >> 32)};
      args[k] = (long)cap_data;
    } else {
      setup_error("spec: unknown argument kind", EINVAL);
    }
  }
  if (strcmp(name, "execve") == 0) exec_args(tokens + 4, argc, args);
  fflush(report);
  errno = 0;
  long ret = syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
  int error = ret == -1 ? errno : 0;
  fprintf(report, "{\"event\":\"call\",\"index\":%d,\"ret\":%ld,\"errno\":%d,\"out\":[", index, error ? -(long)error : ret, error);
  for (int k = 0; k < argc && k < MAX_ARGS; k++) {
    if (k > 0) fputc(',', report);
    if (buffers.out[k] == NULL) {
      fputs("null", report);
      continue;
    }
    /* Trailing zero bytes are left out; the reader pads them back. */
    size_t length = buffers.out_size[k];
    while (length > 0 && buffers.out[k][length - 1] == 0) length--;
    print_hex(buffers.out[k], length);
  }
  fputs("]}\n", report);
  fflush(report);
}

/* ------------------------------------------------------------------ --machine */

#define CONSTANT(name) fprintf(report, ",\"%s\":%lld", #name, (long long)(name))

static void print_machine(void) {
  struct creds c;
  read_creds(&c);
  fprintf(report, "{\"event\":\"machine\",\"uid\":%u,\"lastCap\":%d,\"permitted\":\"0x%llx\",\"effective\":\"0x%llx\",\"bounding\":\"0x%llx\"", c.euid, last_cap(), c.permitted,
          c.effective, c.bounding);
  CONSTANT(AT_FDCWD), CONSTANT(AT_SYMLINK_NOFOLLOW), CONSTANT(AT_REMOVEDIR), CONSTANT(AT_EACCESS), CONSTANT(AT_SYMLINK_FOLLOW), CONSTANT(AT_EMPTY_PATH);
  CONSTANT(O_RDONLY), CONSTANT(O_WRONLY), CONSTANT(O_RDWR), CONSTANT(O_CREAT), CONSTANT(O_EXCL), CONSTANT(O_NOCTTY), CONSTANT(O_TRUNC);
  CONSTANT(O_APPEND), CONSTANT(O_NONBLOCK), CONSTANT(O_DIRECTORY), CONSTANT(O_NOFOLLOW), CONSTANT(O_CLOEXEC), CONSTANT(O_PATH);
  CONSTANT(F_OK), CONSTANT(X_OK), CONSTANT(W_OK), CONSTANT(R_OK), CONSTANT(S_ISUID), CONSTANT(S_ISGID), CONSTANT(S_ISVTX);
  CONSTANT(PR_SET_KEEPCAPS), CONSTANT(PR_GET_KEEPCAPS), CONSTANT(PR_CAPBSET_READ), CONSTANT(PR_CAPBSET_DROP), CONSTANT(PR_GET_SECUREBITS);
  CONSTANT(PR_SET_SECUREBITS), CONSTANT(PR_SET_NO_NEW_PRIVS), CONSTANT(PR_GET_NO_NEW_PRIVS), CONSTANT(PR_CAP_AMBIENT);
  CONSTANT(PR_CAP_AMBIENT_IS_SET), CONSTANT(PR_CAP_AMBIENT_RAISE), CONSTANT(PR_CAP_AMBIENT_LOWER), CONSTANT(PR_CAP_AMBIENT_CLEAR_ALL);
  CONSTANT(SECBIT_NOROOT), CONSTANT(SECBIT_NOROOT_LOCKED), CONSTANT(SECBIT_NO_SETUID_FIXUP), CONSTANT(SECBIT_NO_SETUID_FIXUP_LOCKED);
  CONSTANT(SECBIT_KEEP_CAPS), CONSTANT(SECBIT_KEEP_CAPS_LOCKED), CONSTANT(SECBIT_NO_CAP_AMBIENT_RAISE), CONSTANT(SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED);
  CONSTANT(MS_RDONLY), CONSTANT(MS_NOSUID), CONSTANT(MS_NODEV), CONSTANT(MS_NOEXEC), CONSTANT(MS_REMOUNT), CONSTANT(MS_BIND);
  CONSTANT(MS_MOVE), CONSTANT(MS_REC), CONSTANT(MS_PRIVATE), CONSTANT(MNT_DETACH), CONSTANT(CLONE_NEWNS), CONSTANT(CLONE_NEWUSER);
  CONSTANT(CAP_CHOWN), CONSTANT(CAP_DAC_OVERRIDE), CONSTANT(CAP_DAC_READ_SEARCH), CONSTANT(CAP_FOWNER), CONSTANT(CAP_SETUID);
  CONSTANT(CAP_SETPCAP), CONSTANT(CAP_NET_BIND_SERVICE), CONSTANT(CAP_NET_RAW), CONSTANT(CAP_SYS_CHROOT), CONSTANT(CAP_SYS_ADMIN);
  CONSTANT(CAP_SETFCAP), CONSTANT(CAP_CHECKPOINT_RESTORE), CONSTANT(CAP_LAST_CAP);
  fputs("}\n", report);
}

/* ------------------------------------------------------------------ main */

#define MAX_TOKENS 64

static int split(char *line, char **tokens) {
  int count = 0;
  for (char *token = strtok(line, " \n"); token != NULL && count < MAX_TOKENS; token = strtok(NULL, " \n")) tokens[count++] = token;
  return count;
}

static void read_wanted_line(struct wanted *w, char **tokens, int count) {
  const char *key = tokens[0];
  if (strcmp(key, "uids") == 0 || strcmp(key, "gids") == 0) {
    unsigned *ids = key[0] == 'u' ? w->uids : w->gids;
    for (int i = 0; i < 4; i++) ids[i] = (unsigned)number(tokens[1 + i]);
    w->have_creds = 1;
  } else if (strcmp(key, "groups") == 0) {
    w->ngroups = (int)number(tokens[1]);
    for (int i = 0; i < w->ngroups && i + 2 < count; i++) w->groups[i] = (gid_t)number(tokens[2 + i]);
  } else if (strcmp(key, "caps") == 0) {
    w->permitted = number(tokens[1]), w->effective = number(tokens[2]), w->inheritable = number(tokens[3]);
    w->bounding = number(tokens[4]), w->ambient = number(tokens[5]);
  } else if (strcmp(key, "securebits") == 0) {
    w->securebits = (long)number(tokens[1]);
  } else if (strcmp(key, "nnp") == 0) {
    w->nnp = (long)number(tokens[1]);
  }
}

static void run_case(const char *tmpdir) {
  static struct wanted w;
  static char line[1 << 20];
  char *tokens[MAX_TOKENS];
  int calls = 0, setup_done = 0, first_inode = 1;
  enter_tmpfs_root(tmpdir);
  syscall(SYS_umask, 022);
  while (fgets(line, sizeof line, stdin) != NULL) {
    int count = split(line, tokens);
    if (count == 0) continue;
    const char *key = tokens[0];
    if (strcmp(key, "call") == 0) {
      if (!setup_done) {
        if (!w.have_creds) setup_error("spec: no credentials", EINVAL);
        apply_creds(&w);
        verify_creds(&w);
        fputs("{\"event\":\"setup\"}\n", report);
        setup_done = 1;
      }
      make_call(calls++, tokens, count);
    } else if (strcmp(key, "mount") == 0) {
      make_mount(tokens, count);
    } else if (strcmp(key, "fcaps") == 0) {
      file_caps(tokens);
    } else if (strcmp(key, "inode") == 0) {
      if (first_inode) fputs("{\"event\":\"inodes\",\"map\":[", report);
      char *path = unhex(tokens[1], NULL);
      print_inode(path, first_inode);
      first_inode = 0;
      free(path);
    } else if (strcmp(key, "inodes-end") == 0) {
      if (!first_inode) fputs("]}\n", report);
    } else if (strcmp(key, "cwd") == 0) {
      char *path = unhex(tokens[1], NULL);
      check(chdir(path), "chdir to the case's cwd");
      free(path);
    } else if (strcmp(key, "dir") == 0 || strcmp(key, "file") == 0 || strcmp(key, "probe") == 0 || strcmp(key, "symlink") == 0 ||
               strcmp(key, "chardev") == 0 || strcmp(key, "fifo") == 0) {
      make_entry(tokens, count);
    } else {
      read_wanted_line(&w, tokens, count);
    }
  }
  struct creds c;
  read_creds(&c);
  print_creds("creds", &c);
}

int main(int argc, char **argv) {
  if (getenv("ISOLAB_CONFORMANCE_PROBE") != NULL) {
    /* Started by a case's execve: report, on the fd it inherited, the credentials the kernel gave it. */
    report = fdopen(REPORT_FD, "w");
    if (report == NULL) return 3;
    struct creds c;
    read_creds(&c);
    fputs("{\"event\":\"exec\"}\n", report);
    print_creds("creds", &c);
    return 0;
  }
  int fd = fcntl(1, F_DUPFD, REPORT_FD);
  if (fd != REPORT_FD) return 3;
  report = fdopen(fd, "w");
  if (report == NULL) return 3;
  dup2(2, 1);
  if (argc == 2 && strcmp(argv[1], "--machine") == 0) {
    print_machine();
    return 0;
  }
  if (argc != 2) {
    fprintf(stderr, "usage: %s TMPDIR < case.spec | %s --machine\n", argv[0], argv[0]);
    return 2;
  }
  run_case(argv[1]);
  return 0;
}

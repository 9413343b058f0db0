/**
 * The x86-64 values the file-system calls test (include/uapi/asm-generic/fcntl.h,
 * linux/stat.h, linux/fcntl.h, linux/mount.h, linux/fs.h, linux/socket.h). The names a
 * scenario may write are in syscall/constants.ts; the ones marked "not in the scenario
 * table" are reported to be added there.
 */

export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_ACCMODE = 0o3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
/** Not in the scenario table. */
export const O_DIRECT = 0o40000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;
/** O_TMPFILE is __O_TMPFILE | O_DIRECTORY; not in the scenario table. */
export const O_TMPFILE_BIT = 0o20000000;
/** pipe2's O_NOTIFICATION_PIPE (= O_EXCL); not in the scenario table. */
export const O_NOTIFICATION_PIPE = O_EXCL;

export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_EACCESS = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_EMPTY_PATH = 0x1000;

export const F_OK = 0;
export const X_OK = 1;
export const W_OK = 2;
export const R_OK = 4;

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
/** Not in the scenario table. */
export const SEEK_DATA = 3;
/** Not in the scenario table. */
export const SEEK_HOLE = 4;

/** d_type values of getdents64 (include/linux/fs_types.h). */
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;

export const MS_RDONLY = 1;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;
export const MS_NOEXEC = 8;
export const MS_REMOUNT = 32;
/** Not in the scenario table. */
export const MS_NOSYMFOLLOW = 256;
/** Not in the scenario table. */
export const MS_NOATIME = 1024;
/** Not in the scenario table. */
export const MS_NODIRATIME = 2048;
export const MS_BIND = 4096;
export const MS_MOVE = 8192;
export const MS_REC = 16384;
/** Not in the scenario table. */
export const MS_SILENT = 32768;
/** Not in the scenario table. */
export const MS_UNBINDABLE = 1 << 17;
export const MS_PRIVATE = 1 << 18;
export const MS_SLAVE = 1 << 19;
export const MS_SHARED = 1 << 20;
/** Not in the scenario table. */
export const MS_STRICTATIME = 1 << 24;
/** Not in the scenario table. */
export const MS_NOUSER = 1 << 31;
/** The old magic number in the top half of mountflags (mount(2)), ignored. */
export const MS_MGC_VAL = 0xc0ed0000;
export const MS_MGC_MSK = 0xffff0000;

export const MNT_FORCE = 1;
export const MNT_DETACH = 2;
export const MNT_EXPIRE = 4;
export const UMOUNT_NOFOLLOW = 8;

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
/** Not in the scenario table. */
export const SOCK_SEQPACKET = 5;
/** Not in the scenario table (= O_NONBLOCK). */
export const SOCK_NONBLOCK = O_NONBLOCK;
/** Not in the scenario table (= O_CLOEXEC). */
export const SOCK_CLOEXEC = O_CLOEXEC;
export const SOCK_TYPE_MASK = 0xf;

/** PIPE_BUF: writes up to this size are atomic (pipe(7)). */
export const PIPE_BUF = 4096;
/** A pipe's default capacity: 16 pages (pipe(7)). */
export const PIPE_CAPACITY = 65536;
/** The default send buffer of a Unix stream socket (net.core.wmem_default). */
export const SOCKET_CAPACITY = 212992;

# Docker's default seccomp profile (moby/profiles, data/seccomp/docker-default.json) is
# an allowlist of about 350 calls, resolved against the container's capabilities: calls
# that only an administrator needs — mount, unshare, setns, sethostname… — are allowed
# only when the container holds CAP_SYS_ADMIN (`docker run --cap-add SYS_ADMIN`);
# kernel keyrings (keyctl, add_key, request_key) are never allowed, because keys are not
# namespaced. Even root inside the container (uid 0, every capability in this model)
# gets EPERM: the filter answers before the kernel's own permission checks run.
scenario "Docker's default profile refuses mount, unshare and keyctl unless the container has CAP_SYS_ADMIN"
about "runc compiles the JSON profile for the container's bounding set into BPF and installs it before the entrypoint; the filter, not the caller's privilege, decides first."
teaches 22, 23
variant container: default | sys_admin
invariant all

fs {
  dir "/mnt/data" { mode: 0755 }
}

profile default from "../../data/seccomp/docker-default.json"
profile sys_admin from "../../data/seccomp/docker-default.json" { caps: default|CAP_SYS_ADMIN }

process init { uid: 0, seccomp: $container }

init: syscall getpid expect returns 1  # on the allowlist
init: syscall openat(AT_FDCWD, "/etc/passwd", O_RDONLY) expect returns 3
# With CAP_SYS_ADMIN the filter allows mount and the kernel mounts; unshare is allowed
# too, and answers ENOSYS because isolab does not simulate namespaces yet.
init: syscall mount("tmpfs", "/mnt/data", "tmpfs", 0)
  expect errno EPERM when container=default
  expect returns 0 when container=sys_admin
init: syscall unshare(CLONE_NEWNS)
  expect errno EPERM when container=default
  expect errno ENOSYS when container=sys_admin
init: syscall keyctl(0, 0, 0) expect errno EPERM  # never allowed: the kernel keyring is not namespaced
init: syscall prctl(PR_GET_SECCOMP) expect returns 2

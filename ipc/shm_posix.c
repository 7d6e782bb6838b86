/*
 * asimdns: ipc/shm.h on POSIX systems: files in the ring directory (default /run/asimdns, a
 * tmpfs) mapped shared, with an owner, a group and modes, and a SIGBUS guard so a peer that
 * shrinks a shared object cannot kill us.
 *
 * Anti-squatting: the directory must be writable only by root or the capture's user (checked
 * at every open), so nobody else can put a name there at all. On top of that an object is
 * created with O_CREAT | O_EXCL | O_NOFOLLOW and mode 0600 (nobody else can open it before
 * fchown/fchmod give it its final group and mode); an existing object is only used after
 * fstat shows a regular file, the expected owner, no forbidden mode bits, no POSIX ACL and a
 * sane size. Every open is O_NONBLOCK | O_NOFOLLOW: a FIFO or link on the name is refused
 * without hanging. (The world-writable /dev/shm name space is not used.)
 */
#ifdef AD_PLATFORM_POSIX
#include "common/account.h"
#include "ipc/ring.h"
#include "ipc/shm.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/xattr.h>
#endif

#include "common/compiler.h"

static ad_err shm_name(char *out, size_t cap, const char *ring, const char *kind)
{
    int n = snprintf(out, cap, "asimdns-%s-%s", ring, kind);
    return (n > 0 && (size_t)n < cap) ? AD_OK : AD_ERANGE;
}

/* ---- users and groups ------------------------------------------------------------------- */

/* Resolves a user name or numeric uid (common/account.h). */
static ad_err resolve_uid(const char *text, uid_t *out)
{
    unsigned long id;
    ad_err err = ad_account_user(text, &id, NULL);
    if (err == AD_OK)
        *out = (uid_t)id;
    return err;
}

/* Resolves a group name or numeric gid (common/account.h). */
static ad_err resolve_gid(const char *text, gid_t *out)
{
    unsigned long id;
    ad_err err = ad_account_group(text, &id);
    if (err == AD_OK)
        *out = (gid_t)id;
    return err;
}

/* "1001 (alice)" or "1001" when the uid has no name. */
static void uid_text(uid_t uid, char *out, size_t cap)
{
    struct passwd pw, *res = NULL;
    char buf[2048];
    if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res != NULL) {
        snprintf(out, cap, "%lu (%s)", (unsigned long)uid, pw.pw_name);
    } else {
        snprintf(out, cap, "%lu", (unsigned long)uid);
    }
}

static void gid_text(gid_t gid, char *out, size_t cap)
{
    struct group gr, *res = NULL;
    char buf[4096];
    if (getgrgid_r(gid, &gr, buf, sizeof(buf), &res) == 0 && res != NULL) {
        snprintf(out, cap, "%lu (%s)", (unsigned long)gid, gr.gr_name);
    } else {
        snprintf(out, cap, "%lu", (unsigned long)gid);
    }
}

/* ---- fault guard ------------------------------------------------------------------------ */

/*
 * A fixed table the SIGBUS handler can scan without locks or allocation. A slot is claimed by
 * an "inuse" flag; base is stored last (release) and cleared first, so the handler only ever
 * sees complete entries and never an entry whose mapping has been unmapped.
 */
#define GUARD_SLOTS 64

typedef struct guard_slot {
    atomic_int inuse;
    _Atomic uintptr_t base;
    _Atomic size_t len;
    atomic_int prot;
    atomic_int faulted;
} guard_slot;

static guard_slot guard_tab[GUARD_SLOTS];
static struct sigaction guard_prev;
static atomic_int guard_state; /* 0 none, 1 installing, 2 installed */

static void guard_chain(int sig, siginfo_t *si, void *ctx)
{
    if (guard_prev.sa_flags & SA_SIGINFO) {
        if (guard_prev.sa_sigaction != NULL) {
            guard_prev.sa_sigaction(sig, si, ctx);
            return;
        }
    } else if (guard_prev.sa_handler != SIG_DFL && guard_prev.sa_handler != SIG_IGN) {
        guard_prev.sa_handler(sig);
        return;
    }
    /* No handler before us: restore the default so the faulting access kills as usual. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
}

/*
 * mmap is not on the POSIX async-signal-safe list, but on Linux and the BSDs it is a plain
 * system call without locks in user space, which is what matters inside a handler.
 */
static void guard_handler(int sig, siginfo_t *si, void *ctx)
{
    int saved = errno;
    uintptr_t addr = (uintptr_t)si->si_addr;
    if (si->si_code > 0) { /* raised by the kernel for an access, not by kill() */
        for (size_t i = 0; i < GUARD_SLOTS; i++) {
            guard_slot *g = &guard_tab[i];
            uintptr_t base = atomic_load_explicit(&g->base, memory_order_acquire);
            size_t len = atomic_load_explicit(&g->len, memory_order_relaxed);
            if (base == 0 || addr < base || addr - base >= len) {
                continue;
            }
            void *r = mmap((void *)base, len, atomic_load_explicit(&g->prot, memory_order_relaxed),
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
            if (r != MAP_FAILED) {
                atomic_store_explicit(&g->faulted, 1, memory_order_release);
                errno = saved;
                return;
            }
            break;
        }
    }
    guard_chain(sig, si, ctx);
    errno = saved;
}

/*
 * Installs the handler, or re-installs it when someone replaced it since (a test framework,
 * a library): every new mapping re-checks, and the replacing handler becomes the one we chain
 * to for faults outside our mappings.
 */
static void guard_install(void)
{
    for (;;) {
        struct sigaction cur, sa, prev;
        int st = atomic_load(&guard_state);
        if (st == 1) {
            sched_yield();
            continue;
        }
        if (st == 2 && sigaction(SIGBUS, NULL, &cur) == 0 && (cur.sa_flags & SA_SIGINFO) != 0 &&
            cur.sa_sigaction == guard_handler) {
            return;
        }
        if (!atomic_compare_exchange_strong(&guard_state, &st, 1)) {
            continue;
        }
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = guard_handler;
        sa.sa_flags = SA_SIGINFO | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGBUS, &sa, &prev) == 0 &&
            !((prev.sa_flags & SA_SIGINFO) != 0 && prev.sa_sigaction == guard_handler)) {
            guard_prev = prev;
        }
        atomic_store(&guard_state, 2);
        return;
    }
}

static int guard_register(void *base, size_t len, int prot)
{
    guard_install();
    for (int i = 0; i < GUARD_SLOTS; i++) {
        guard_slot *g = &guard_tab[i];
        int expected = 0;
        if (!atomic_compare_exchange_strong(&g->inuse, &expected, 1)) {
            continue;
        }
        atomic_store_explicit(&g->len, len, memory_order_relaxed);
        atomic_store_explicit(&g->prot, prot, memory_order_relaxed);
        atomic_store_explicit(&g->faulted, 0, memory_order_relaxed);
        atomic_store_explicit(&g->base, (uintptr_t)base, memory_order_release);
        return i;
    }
    return -1; /* table full: the mapping works, only without the guard */
}

static void guard_unregister(int slot)
{
    if (slot < 0 || slot >= GUARD_SLOTS) {
        return;
    }
    atomic_store_explicit(&guard_tab[slot].base, 0, memory_order_release);
    atomic_store_explicit(&guard_tab[slot].inuse, 0, memory_order_release);
}

bool ad__shm_faulted(const ad__shm *s)
{
    if (s->guard < 0 || s->guard >= GUARD_SLOTS) {
        return false;
    }
    return atomic_load_explicit(&guard_tab[s->guard].faulted, memory_order_acquire) != 0;
}

ad_err ad__shm_repair(ad__shm *s)
{
    struct stat st;
    int prot = s->writable ? PROT_READ | PROT_WRITE : PROT_READ;
    if (!ad__shm_faulted(s)) {
        return AD_OK;
    }
    if (fstat((int)s->handle, &st) != 0) {
        return AD_ESYS;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size < s->size) {
        return AD_ECORRUPT; /* still too small: keep reading zeros */
    }
    /* MAP_FIXED replaces the zero pages in one step; no window without a mapping. */
    if (mmap(s->addr, s->size, prot, MAP_SHARED | MAP_FIXED, (int)s->handle, 0) == MAP_FAILED) {
        return AD_ESYS;
    }
    atomic_store_explicit(&guard_tab[s->guard].faulted, 0, memory_order_release);
    return AD_OK;
}

ad_err ad__shm_restore_size(ad__shm *s)
{
    struct stat st;
    int fd = (int)s->handle;
    if (fd < 0 || !s->writable || fstat(fd, &st) != 0) {
        return AD_ESYS;
    }
    if (st.st_size >= 0 && (uint64_t)st.st_size >= s->size) {
        return AD_OK;
    }
    return ftruncate(fd, (off_t)s->size) == 0 ? AD_OK : AD_ESYS;
}

/* ---- the ring directory ----------------------------------------------------------------- */

/*
 * Every object lives in one directory that only root (or the capture's own user) can write:
 * nobody else can create, replace or remove a name there, so squatting a name, a FIFO or a
 * symbolic link planted on it, and removing the ring under the services are all impossible
 * for an unprivileged user. Set once at start-up, before any thread maps a ring.
 */
static char ring_dir[PATH_MAX] = AD_RING_DEFAULT_DIRECTORY;

ad_err ad_ring_set_directory(const char *dir)
{
    size_t n;
    if (dir == NULL || dir[0] == '\0') {
        dir = AD_RING_DEFAULT_DIRECTORY;
    }
    n = strlen(dir);
    if (dir[0] != '/' || n >= sizeof(ring_dir) - AD__SHM_NAME_MAX) {
        return AD_EINVAL;
    }
    memcpy(ring_dir, dir, n + 1);
    while (n > 1 && ring_dir[n - 1] == '/') {
        ring_dir[--n] = '\0';
    }
    return AD_OK;
}

const char *ad_ring_directory(void)
{
    return ring_dir;
}

/* An extended POSIX ACL on fd (name: the xattr holding it): entries beyond the mode bits. */
static bool has_acl(int fd, const char *name)
{
#ifdef __linux__
    ssize_t n = fgetxattr(fd, name, NULL, 0);
    return n > 0 || (n < 0 && errno != ENODATA && errno != ENOTSUP && errno != EOPNOTSUPP);
#else
    (void)fd;
    (void)name;
    return false;
#endif
}

#define ACL_ACCESS "system.posix_acl_access"
#define ACL_DEFAULT "system.posix_acl_default"

/*
 * Opens the ring directory (create: make it first if missing, mode 0755) and checks that only
 * root, we or trusted (a uid, or (uid_t)-1 for none) can add or remove names in it: owner one
 * of those, no group/other write bit, no ACL that could grant it. Returns the descriptor or
 * -1 with the reason in msg and *err.
 */
static int dir_open(bool create, uid_t trusted, ad_err *err, char *msg, size_t cap)
{
    struct stat st;
    int fd;
    bool made = false;
    if (create) {
        if (mkdir(ring_dir, 0755) == 0) {
            made = true;
        } else if (errno != EEXIST) {
            int e = errno;
            ad_err_msg(msg, cap, "cannot create the ring directory %s: %s", ring_dir, strerror(e));
            *err = e == EACCES || e == EPERM ? AD_EPERM : (e == ENOENT ? AD_ENOENT : AD_ESYS);
            return -1;
        }
    }
    fd = open(ring_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT) {
            ad_err_msg(msg, cap, "ring directory %s does not exist (is asimdns-capture running?)",
                       ring_dir);
            *err = AD_ENOENT;
        } else {
            ad_err_msg(msg, cap, "cannot open the ring directory %s: %s%s", ring_dir, strerror(e),
                       e == ELOOP || e == ENOTDIR ? " (it must be a real directory, not a link)"
                                                  : "");
            *err = e == EACCES || e == EPERM || e == ELOOP || e == ENOTDIR ? AD_EPERM : AD_ESYS;
        }
        return -1;
    }
    if (made) {
        /* Ours, just made: 0755 whatever the umask (a service's UMask=0077 would leave the
           exporter unable to reach its objects). */
        (void)fchmod(fd, 0755);
    }
    if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode)) {
        ad_err_msg(msg, cap, "ring directory %s is not a directory", ring_dir);
        *err = AD_EPERM;
        close(fd);
        return -1;
    }
    if ((st.st_uid != 0 && st.st_uid != geteuid() && st.st_uid != trusted) ||
        (st.st_mode & 022) != 0 || has_acl(fd, ACL_ACCESS)) {
        char owner[96];
        uid_text(st.st_uid, owner, sizeof(owner));
        ad_err_msg(
            msg, cap,
            "ring directory %s (owner uid %s, mode %04o%s) is not trusted: it must belong to "
            "root or the ring's owner, without group/other write bits or an ACL, or others "
            "could create names in it (refusing it)",
            ring_dir, owner, (unsigned)(st.st_mode & 07777),
            has_acl(fd, ACL_ACCESS) ? ", with an ACL" : "");
        *err = AD_EPERM;
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- objects ---------------------------------------------------------------------------- */

static ad_err map_fd(int fd, size_t size, bool writable, ad__shm *out, char *msg, size_t cap)
{
    int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
    void *addr = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
    if (addr == MAP_FAILED) {
        ad_err_msg(msg, cap, "cannot map ring object %s/%s (%llu bytes): %s", ring_dir, out->name,
                   (unsigned long long)size, strerror(errno));
        return AD_ESYS;
    }
    out->addr = addr;
    out->size = size;
    out->handle = fd;
    out->writable = writable;
    out->guard = guard_register(addr, size, prot);
    return AD_OK;
}

/* Starts *out for <ring>-<kind>: name and empty handles. */
static ad_err shm_begin(const char *ring, const char *kind, ad__shm *out, char *msg, size_t cap)
{
    memset(out, 0, sizeof(*out));
    out->handle = -1;
    out->guard = -1;
    if (shm_name(out->name, sizeof(out->name), ring, kind) != AD_OK) {
        ad_err_msg(msg, cap, "ring name too long");
        return AD_ERANGE;
    }
    return AD_OK;
}

ad_err ad__shm_create(const char *ring, const char *kind, bool global, size_t size,
                      const ad__shm_perm *perm, ad__shm *out, char *msg, size_t msgcap)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    char who[96];
    ad_err err;
    int fd, dfd;

    (void)global;
    if ((err = shm_begin(ring, kind, out, msg, msgcap)) != AD_OK) {
        return err;
    }
    if ((perm->mode & ~0777u) != 0) {
        ad_err_msg(msg, msgcap, "mode %04o for %s has bits outside 0777", perm->mode, out->name);
        return AD_EINVAL;
    }
    if (perm->owner != NULL && (err = resolve_uid(perm->owner, &uid)) != AD_OK) {
        ad_err_msg(msg, msgcap, "ring owner \"%s\" is not a known user", perm->owner);
        return err == AD_ENOMEM ? err : AD_EINVAL;
    }
    if (perm->group != NULL && (err = resolve_gid(perm->group, &gid)) != AD_OK) {
        ad_err_msg(msg, msgcap, "ring group \"%s\" is not a known group", perm->group);
        return err == AD_ENOMEM ? err : AD_EINVAL;
    }
    if ((dfd = dir_open(true, uid, &err, msg, msgcap)) < 0) {
        return err;
    }

    /* Exclusive, never through a link, never blocking; 0600 until fchown/fchmod: nobody but
       us can open it in between. */
    fd = openat(dfd, out->name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
                0600);
    if (fd < 0) {
        int e = errno;
        close(dfd);
        if (e == EEXIST) {
            ad_err_msg(msg, msgcap, "ring object %s/%s already exists", ring_dir, out->name);
            return AD_EEXIST;
        }
        ad_err_msg(msg, msgcap, "cannot create ring object %s/%s: %s", ring_dir, out->name,
                   strerror(e));
        return e == EACCES ? AD_EPERM : AD_ESYS;
    }
#ifdef __linux__
    /* A default ACL on the directory would have given the new object an access ACL. */
    (void)fremovexattr(fd, ACL_ACCESS);
#endif
    if ((uid != geteuid() || gid != getegid()) && fchown(fd, uid, gid) != 0) {
        int e = errno;
        uid_text(uid, who, sizeof(who));
        ad_err_msg(msg, msgcap,
                   "cannot give %s to owner %s and group %lu: %s (a different owner needs root; "
                   "a group needs membership)",
                   out->name, who, (unsigned long)gid, strerror(e));
        err = AD_EPERM;
        goto fail;
    }
    if (fchmod(fd, (mode_t)perm->mode) != 0) {
        ad_err_msg(msg, msgcap, "cannot set mode %04o on %s: %s", perm->mode, out->name,
                   strerror(errno));
        err = AD_EPERM;
        goto fail;
    }
    if (ftruncate(fd, (off_t)size) != 0) {
        ad_err_msg(msg, msgcap, "cannot size %s to %llu bytes: %s", out->name,
                   (unsigned long long)size, strerror(errno));
        err = AD_ENOMEM;
        goto fail;
    }
    if ((err = map_fd(fd, size, true, out, msg, msgcap)) != AD_OK) {
        goto fail;
    }
    close(dfd);
    out->mode = perm->mode;
    snprintf(out->owner, sizeof(out->owner), "%lu", (unsigned long)uid);
    return AD_OK;

fail:
    close(fd);
    unlinkat(dfd, out->name, 0);
    close(dfd);
    return err;
}

/* Explains an EACCES on open: who owns the object and who we are. */
static void explain_denied(int dfd, const ad__shm *s, bool writable, char *msg, size_t msgcap)
{
    struct stat st;
    char owner[96], group[96], self[96];

    uid_text(geteuid(), self, sizeof(self));
    if (fstatat(dfd, s->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        uid_text(st.st_uid, owner, sizeof(owner));
        gid_text(st.st_gid, group, sizeof(group));
        ad_err_msg(msg, msgcap,
                   "permission denied opening ring object %s/%s for %s: it is owned by uid %s, "
                   "group %s, mode %04o, and this process runs as uid %s without that access (the "
                   "exporter's user must be a member of the ring's group)",
                   ring_dir, s->name, writable ? "reading and writing" : "reading", owner, group,
                   (unsigned)(st.st_mode & 07777), self);
    } else {
        ad_err_msg(msg, msgcap, "permission denied opening ring object %s/%s for %s (uid %s)",
                   ring_dir, s->name, writable ? "reading and writing" : "reading", self);
    }
}

ad_err ad__shm_open(const char *ring, const char *kind, bool global, bool writable,
                    const ad__shm_expect *expect, ad__shm *out, char *msg, size_t msgcap)
{
    struct stat st;
    uid_t want = geteuid(), trusted = (uid_t)-1;
    size_t size;
    ad_err err;
    int fd, dfd;

    (void)global;
    if ((err = shm_begin(ring, kind, out, msg, msgcap)) != AD_OK) {
        return err;
    }
    if (expect != NULL && expect->owner != NULL) {
        if (expect->owner[0] != '\0' && (err = resolve_uid(expect->owner, &want)) != AD_OK) {
            ad_err_msg(msg, msgcap, "expected ring owner \"%s\" is not a known user",
                       expect->owner);
            return err == AD_ENOMEM ? err : AD_EINVAL;
        }
        trusted = want;
    }
    if ((dfd = dir_open(false, trusted, &err, msg, msgcap)) < 0) {
        return err;
    }
    /* Non-blocking and never through a link: a FIFO or device planted on the name must not
       hang us; fstat below refuses anything but a regular file. */
    fd = openat(dfd, out->name,
                (writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT) {
            ad_err_msg(msg, msgcap,
                       "ring object %s/%s does not exist (is asimdns-capture running?)", ring_dir,
                       out->name);
            err = AD_ENOENT;
        } else if (e == EACCES || e == EPERM) {
            explain_denied(dfd, out, writable, msg, msgcap);
            err = AD_EPERM;
        } else {
            ad_err_msg(msg, msgcap, "cannot open ring object %s/%s: %s%s", ring_dir, out->name,
                       strerror(e), e == ELOOP ? " (a symbolic link: refusing it)" : "");
            err = e == ELOOP ? AD_EPERM : AD_ESYS;
        }
        close(dfd);
        return err;
    }
    close(dfd);
    if (fstat(fd, &st) != 0) {
        ad_err_msg(msg, msgcap, "cannot stat ring object %s: %s", out->name, strerror(errno));
        close(fd);
        return AD_ESYS;
    }
    out->mode = (uint32_t)(st.st_mode & 07777);
    snprintf(out->owner, sizeof(out->owner), "%lu", (unsigned long)st.st_uid);
    if (!S_ISREG(st.st_mode)) {
        ad_err_msg(msg, msgcap,
                   "ring object %s/%s is not a regular file (file type %o): refusing it (possible "
                   "squatting)",
                   ring_dir, out->name, (unsigned)(st.st_mode & S_IFMT) >> 12);
        close(fd);
        return AD_EPERM;
    }
    if (expect != NULL && expect->owner != NULL && st.st_uid != want) {
        char have[96], exp[96];
        uid_text(st.st_uid, have, sizeof(have));
        uid_text(want, exp, sizeof(exp));
        ad_err_msg(msg, msgcap,
                   "ring object %s/%s is owned by uid %s, expected uid %s: refusing an object "
                   "someone else created (possible squatting)",
                   ring_dir, out->name, have, exp);
        close(fd);
        return AD_EPERM;
    }
    if (has_acl(fd, ACL_ACCESS)) {
        ad_err_msg(
            msg, msgcap,
            "ring object %s/%s carries a POSIX ACL, which can grant access its mode bits do "
            "not show: refusing it (remove the ring and let asimdns-capture create it again)",
            ring_dir, out->name);
        close(fd);
        return AD_EPERM;
    }
    if (st.st_size == 0) {
        /* The creator makes the object and sizes it in two steps: empty means "being created",
         * which callers retry like a missing object. */
        ad_err_msg(msg, msgcap, "ring object %s/%s is being created", ring_dir, out->name);
        close(fd);
        return AD_ENOENT;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > SIZE_MAX / 2) {
        ad_err_msg(msg, msgcap, "ring object %s/%s is not a plausible ring object (size %lld)",
                   ring_dir, out->name, (long long)st.st_size);
        close(fd);
        return AD_ECORRUPT;
    }
    if (expect != NULL && (out->mode & expect->deny_mode) != 0) {
        ad_err_msg(msg, msgcap,
                   "ring object %s/%s has mode %04o, which lets others write it (bits %04o must "
                   "be clear): refusing it",
                   ring_dir, out->name, out->mode, expect->deny_mode);
        close(fd);
        return AD_EPERM;
    }
    size = (size_t)st.st_size;
    if (expect != NULL && expect->max_map != 0 && size > expect->max_map) {
        size = expect->max_map;
    }
    if ((err = map_fd(fd, size, writable, out, msg, msgcap)) != AD_OK) {
        close(fd);
        return err;
    }
    return AD_OK;
}

ad_err ad__shm_apply_perm(ad__shm *s, const ad__shm_perm *perm, char *msg, size_t msgcap)
{
    struct stat st;
    gid_t gid = getegid();
    ad_err err;
    int fd = (int)s->handle;

    if (perm->group != NULL && (err = resolve_gid(perm->group, &gid)) != AD_OK) {
        ad_err_msg(msg, msgcap, "ring group \"%s\" is not a known group", perm->group);
        return err == AD_ENOMEM ? err : AD_EINVAL;
    }
    if (fstat(fd, &st) != 0) {
        ad_err_msg(msg, msgcap, "cannot stat ring object %s: %s", s->name, strerror(errno));
        return AD_ESYS;
    }
    if (st.st_gid != gid && fchown(fd, (uid_t)-1, gid) != 0) {
        ad_err_msg(msg, msgcap, "cannot set group %lu on %s: %s", (unsigned long)gid, s->name,
                   strerror(errno));
        return AD_EPERM;
    }
    if ((st.st_mode & 07777) != perm->mode && fchmod(fd, (mode_t)perm->mode) != 0) {
        ad_err_msg(msg, msgcap, "cannot set mode %04o on %s: %s", perm->mode, s->name,
                   strerror(errno));
        return AD_EPERM;
    }
    s->mode = perm->mode;
    return AD_OK;
}

ad_err ad__shm_unlink(const char *ring, const char *kind, bool global)
{
    char name[AD__SHM_NAME_MAX];
    ad_err err = AD_OK;
    int dfd;
    (void)global;
    if (shm_name(name, sizeof(name), ring, kind) != AD_OK) {
        return AD_ERANGE;
    }
    dfd = open(ring_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (dfd < 0) {
        return errno == ENOENT ? AD_OK : (errno == EACCES ? AD_EPERM : AD_ESYS);
    }
    /* Whatever sits on the name goes (also a planted FIFO or link): unlinkat never opens it. */
    if (unlinkat(dfd, name, 0) != 0 && errno != ENOENT) {
        err = errno == EACCES || errno == EPERM ? AD_EPERM : AD_ESYS;
    }
    close(dfd);
    return err;
}

void ad__shm_close(ad__shm *s)
{
    if (s->addr != NULL) {
        guard_unregister(s->guard);
        munmap(s->addr, s->size);
    }
    if (s->handle >= 0 && s->addr != NULL) {
        close((int)s->handle);
    }
    s->addr = NULL;
    s->handle = -1;
    s->guard = -1;
}

uint64_t ad__proc_self(void)
{
    return (uint64_t)getpid();
}

bool ad__proc_alive(uint64_t pid)
{
    if (pid == 0 || pid > (uint64_t)INT_MAX) {
        return false;
    }
    if (kill((pid_t)pid, 0) == 0) {
        return true;
    }
    return errno == EPERM; /* exists, but not ours to signal */
}

void ad__cpu_yield(void)
{
    sched_yield();
}
#endif

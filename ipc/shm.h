/*
 * asimdns: the operating-system contract of the ring. These are the only functions the
 * portable core (ipc/ring.c, ipc/ring_status.c) calls that differ per OS; shm_posix.c and
 * shm_win32.c each implement all of them. Internal to ipc/ (prefix ad__).
 *
 * A "shared object" is a named, fixed-size, zero-filled memory object: a POSIX shared-memory
 * object (POSIX: the file asimdns-<ring>-<kind> in the ring directory, default /run/asimdns) or a
 * Windows named section backed by the paging file (Global\ or Local\asimdns-<ring>-<kind>). Every
 * function that can fail for an outside reason returns an ad_err and writes a full English sentence
 * into msg (msg may be NULL).
 */
#ifndef AD_IPC_SHM_H
#define AD_IPC_SHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define AD__SHM_OWNER_MAX 192 /* owner as text: POSIX uid, Windows SID string */
#define AD__SHM_NAME_MAX 128  /* OS object name, with its prefix */

/* An open, mapped shared object. */
typedef struct ad__shm {
    void *addr;                    /* start of the mapping; NULL when closed */
    size_t size;                   /* bytes mapped */
    intptr_t handle;               /* POSIX file descriptor / Windows section HANDLE */
    int guard;                     /* POSIX fault-guard slot, -1 when none */
    bool writable;                 /* mapped read-write */
    uint32_t mode;                 /* POSIX permission bits (0 on Windows) */
    char owner[AD__SHM_OWNER_MAX]; /* owner of the object as text */
    char name[AD__SHM_NAME_MAX];   /* the OS name, for messages */
} ad__shm;

/* Permissions a creator gives the object. */
typedef struct ad__shm_perm {
    const char *owner;        /* POSIX: user name or uid to own the object; NULL = effective uid */
    const char *group;        /* POSIX: group name or gid; NULL = effective gid */
    uint32_t mode;            /* POSIX: permission bits (at most 0777) */
    const char *peer_account; /* Windows: the exporter's account (SID string or name) */
    bool peer_write;          /* Windows: the peer gets map read+write (cursor), else read */
} ad__shm_perm;

/* What an opener requires of an existing object before it is used. */
typedef struct ad__shm_expect {
    const char *owner;  /* NULL: not checked; "": our effective user; else user name / uid /
                           SID string that must own the object */
    uint32_t deny_mode; /* POSIX: permission bits that must be clear (e.g. 022) */
    size_t max_map;     /* map at most this many bytes (0: the whole object) */
} ad__shm_expect;

/*
 * Creates the object <ring>-<kind> exclusively with the given size and permissions and maps it
 * read-write. AD_EEXIST when an object of that name exists already (never opened: this is the
 * anti-squatting rule, the caller decides whether to inspect it with ad__shm_open).
 */
ad_err ad__shm_create(const char *ring, const char *kind, bool global, size_t size,
                      const ad__shm_perm *perm, ad__shm *out, char *msg, size_t msgcap);

/*
 * Opens an existing object, checks it against expect (owner, mode bits, a regular object of a
 * plausible size) and maps it read-only or read-write. Fills out->owner and out->mode.
 * AD_ENOENT missing, AD_EPERM no access or wrong owner/mode, AD_ECORRUPT bad size.
 */
ad_err ad__shm_open(const char *ring, const char *kind, bool global, bool writable,
                    const ad__shm_expect *expect, ad__shm *out, char *msg, size_t msgcap);

/*
 * Re-applies the creator's group and mode to an object we own (a changed configuration takes
 * effect on re-attach). No-op on Windows, where the descriptor is fixed at creation.
 */
ad_err ad__shm_apply_perm(ad__shm *s, const ad__shm_perm *perm, char *msg, size_t msgcap);

/* Removes the name <ring>-<kind> (POSIX); AD_OK when missing. No-op on Windows. */
ad_err ad__shm_unlink(const char *ring, const char *kind, bool global);

/* Unmaps and closes; safe on a zeroed or already closed ad__shm. */
void ad__shm_close(ad__shm *s);

/*
 * Fault guard. A peer with write access can shrink a POSIX object under our mapping; touching
 * it would then raise SIGBUS and kill us. Every mapping is registered with a SIGBUS handler
 * that, for an address inside it, replaces the mapping with anonymous zero pages and marks it
 * faulted, so the access returns zeros (which the ring rejects as an impossible value).
 * ad__shm_faulted tells whether that happened; ad__shm_repair maps the object again once it
 * has its size back. Windows sections cannot shrink: both are no-ops there.
 */
bool ad__shm_faulted(const ad__shm *s);
ad_err ad__shm_repair(ad__shm *s);

/* Gives an object we hold read-write its mapped size back after someone truncated it (POSIX;
   a no-op on Windows). AD_OK when it has that size now. */
ad_err ad__shm_restore_size(ad__shm *s);

/* The calling process id, and whether process pid still exists (unknown: true). */
uint64_t ad__proc_self(void);
bool ad__proc_alive(uint64_t pid);

/* Gives the rest of this time slice to another thread (consumer back-off). */
void ad__cpu_yield(void);

#endif

/*
 * asimdns: the little threading capture needs, behind one portable interface (pthreads on
 * POSIX, Win32 threads on Windows; one file per OS).
 *
 * Used off the hot path only: the ETW source runs ProcessTrace on its own thread (ProcessTrace
 * blocks until the session ends, facts/peers-etw-and-ring.md §A.6) while the main thread polls
 * loss counters and writes the heartbeat; the --record writer shares one buffer between the
 * two under a mutex. Creating threads and mutexes allocates; locking and the flags do not.
 */
#ifndef AD_COMMON_THREAD_H
#define AD_COMMON_THREAD_H

#include <stdatomic.h>
#include <stdbool.h>

#include "common/error.h"

typedef struct ad_thread ad_thread;
typedef struct ad_mutex ad_mutex;

typedef void (*ad_thread_fn)(void *arg);

/* Starts fn(arg) on a new thread. AD_ENOMEM / AD_ESYS when the OS refuses. */
ad_err ad_thread_start(ad_thread **out, ad_thread_fn fn, void *arg);

/* Waits for the thread to return and releases it. Call exactly once per started thread. */
void ad_thread_join(ad_thread *t);

/* A non-recursive mutex. */
ad_err ad_mutex_create(ad_mutex **out);
void ad_mutex_destroy(ad_mutex *m); /* NULL is ignored */
void ad_mutex_lock(ad_mutex *m);
void ad_mutex_unlock(ad_mutex *m);

/*
 * A flag shared between threads (sequentially consistent, so a flag raised after writing
 * other data publishes that data to whoever sees it raised). Zero-initialized = lowered.
 */
typedef struct ad_flag {
    atomic_int v;
} ad_flag;

static inline void ad_flag_init(ad_flag *f)
{
    atomic_init(&f->v, 0);
}

static inline bool ad_flag_get(const ad_flag *f)
{
    return atomic_load((atomic_int *)&f->v) != 0;
}

static inline void ad_flag_raise(ad_flag *f)
{
    atomic_store(&f->v, 1);
}

/* Raises the flag; true only for the one caller that found it lowered (exactly-once work). */
static inline bool ad_flag_raise_first(ad_flag *f)
{
    return atomic_exchange(&f->v, 1) == 0;
}

#endif

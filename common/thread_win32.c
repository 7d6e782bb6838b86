/* asimdns: threads and mutexes on Windows (_beginthreadex, SRW locks). */
#ifdef AD_PLATFORM_WINDOWS
#include "common/thread.h"

#include <process.h>
#include <stdint.h>
#include <stdlib.h>
#include <windows.h>

struct ad_thread {
    HANDLE handle;
    ad_thread_fn fn;
    void *arg;
};

/* An SRW lock: no kernel object, no initialization failure, enough for a non-recursive mutex. */
struct ad_mutex {
    SRWLOCK lock;
};

static unsigned __stdcall thread_main(void *p)
{
    ad_thread *t = p;
    t->fn(t->arg);
    return 0;
}

ad_err ad_thread_start(ad_thread **out, ad_thread_fn fn, void *arg)
{
    ad_thread *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return AD_ENOMEM;
    t->fn = fn;
    t->arg = arg;
    /* _beginthreadex rather than CreateThread: the thread calls the C runtime (logging, stdio
       for --record), which wants its per-thread data set up by the runtime's own entry. */
    uintptr_t h = _beginthreadex(NULL, 0, thread_main, t, 0, NULL);
    t->handle = (HANDLE)h;
    if (h == 0) {
        free(t);
        return AD_ESYS;
    }
    *out = t;
    return AD_OK;
}

void ad_thread_join(ad_thread *t)
{
    if (t == NULL)
        return;
    WaitForSingleObject(t->handle, INFINITE);
    CloseHandle(t->handle);
    free(t);
}

ad_err ad_mutex_create(ad_mutex **out)
{
    ad_mutex *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return AD_ENOMEM;
    InitializeSRWLock(&m->lock);
    *out = m;
    return AD_OK;
}

void ad_mutex_destroy(ad_mutex *m)
{
    free(m);
}

void ad_mutex_lock(ad_mutex *m)
{
    AcquireSRWLockExclusive(&m->lock);
}

void ad_mutex_unlock(ad_mutex *m)
{
    ReleaseSRWLockExclusive(&m->lock);
}
#endif

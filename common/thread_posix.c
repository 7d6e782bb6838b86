/* asimdns: threads and mutexes on POSIX (pthreads). */
#ifdef AD_PLATFORM_POSIX
#include "common/thread.h"

#include <pthread.h>
#include <stdlib.h>

struct ad_thread {
    pthread_t id;
    ad_thread_fn fn;
    void *arg;
};

struct ad_mutex {
    pthread_mutex_t m;
};

static void *thread_main(void *p)
{
    ad_thread *t = p;
    t->fn(t->arg);
    return NULL;
}

ad_err ad_thread_start(ad_thread **out, ad_thread_fn fn, void *arg)
{
    ad_thread *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return AD_ENOMEM;
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&t->id, NULL, thread_main, t) != 0) {
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
    pthread_join(t->id, NULL);
    free(t);
}

ad_err ad_mutex_create(ad_mutex **out)
{
    ad_mutex *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return AD_ENOMEM;
    if (pthread_mutex_init(&m->m, NULL) != 0) {
        free(m);
        return AD_ESYS;
    }
    *out = m;
    return AD_OK;
}

void ad_mutex_destroy(ad_mutex *m)
{
    if (m == NULL)
        return;
    pthread_mutex_destroy(&m->m);
    free(m);
}

void ad_mutex_lock(ad_mutex *m)
{
    pthread_mutex_lock(&m->m);
}

void ad_mutex_unlock(ad_mutex *m)
{
    pthread_mutex_unlock(&m->m);
}
#endif

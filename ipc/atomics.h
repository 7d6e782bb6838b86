/*
 * asimdns: the few atomic operations the ring needs, behind one tiny wrapper.
 *
 * The ring shares these words between two processes, so they must be lock-free (a lock-based
 * fallback would keep its lock in one process's private memory and order nothing). The wrapper
 * maps to C11 <stdatomic.h>: gcc, clang, and MSVC from Visual Studio 2022 17.5 with
 * /experimental:c11atomics (CMakeLists.txt sets it); the static assertions below stop a build
 * whose 64-bit atomics are not lock-free. Ring code never names stdatomic directly, so another
 * compiler needs only this file changed.
 *
 * Only four orderings are used: relaxed loads/stores for single-writer counters and heartbeats,
 * acquire loads and release stores for the two positions and the creation magic.
 */
#ifndef AD_IPC_ATOMICS_H
#define AD_IPC_ATOMICS_H

#include <stdint.h>

#include <stdatomic.h>
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h> /* _mm_pause, __yield */
#endif

/* A 64-bit word shared between processes. Same size and alignment as uint64_t. */
typedef _Atomic uint64_t ad_atomic_u64;

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "the ring needs address-free 64-bit atomics");
_Static_assert(sizeof(ad_atomic_u64) == 8, "ad_atomic_u64 must be 8 bytes in shared memory");
_Static_assert(_Alignof(ad_atomic_u64) == 8, "ad_atomic_u64 must be 8-byte aligned");

static inline uint64_t ad_atomic_load_relaxed(const ad_atomic_u64 *p)
{
    return atomic_load_explicit((ad_atomic_u64 *)p, memory_order_relaxed);
}

static inline uint64_t ad_atomic_load_acquire(const ad_atomic_u64 *p)
{
    return atomic_load_explicit((ad_atomic_u64 *)p, memory_order_acquire);
}

static inline void ad_atomic_store_relaxed(ad_atomic_u64 *p, uint64_t v)
{
    atomic_store_explicit(p, v, memory_order_relaxed);
}

static inline void ad_atomic_store_release(ad_atomic_u64 *p, uint64_t v)
{
    atomic_store_explicit(p, v, memory_order_release);
}

/*
 * Single-writer increment: a relaxed load and store, not a read-modify-write. Every counter has
 * exactly one writing thread, so the locked RMW would only cost time.
 */
static inline void ad_atomic_add_relaxed(ad_atomic_u64 *p, uint64_t n)
{
    atomic_store_explicit(p, atomic_load_explicit(p, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

/* A hint to the CPU inside a spin-wait loop (x86 PAUSE, Arm YIELD). */
static inline void ad_cpu_relax(void)
{
#if defined(_MSC_VER) && !defined(__clang__) && (defined(_M_X64) || defined(_M_IX86))
    _mm_pause();
#elif defined(_MSC_VER) && !defined(__clang__) && defined(_M_ARM64)
    __yield();
#elif defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

#endif

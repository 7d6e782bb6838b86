/*
 * asimdns: the few compiler-specific constructs, in one place so the rest stays portable C11
 * (gcc, clang and, in principle, MSVC).
 */
#ifndef AD_COMMON_COMPILER_H
#define AD_COMMON_COMPILER_H

#if defined(__MINGW32__)
/* mingw builds use its C99 stdio (__USE_MINGW_ANSI_STDIO), so check formats as GNU printf. */
#define AD_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#elif defined(__GNUC__) || defined(__clang__)
#define AD_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define AD_PRINTF(fmt, args)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define AD_LIKELY(x) __builtin_expect(!!(x), 1)
#define AD_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define AD_NORETURN __attribute__((noreturn))
#else
#define AD_LIKELY(x) (x)
#define AD_UNLIKELY(x) (x)
#define AD_NORETURN __declspec(noreturn)
#endif

#define AD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif

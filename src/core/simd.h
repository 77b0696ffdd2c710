/* Element loops built twice, for the baseline (SSE2) and for AVX2, the loader picking one
 * (target_clones), on x86-64 Linux with GCC. The same IEEE operations in the same order
 * either way (-ffp-contract=off for the whole project: no FMA), so both give the same bits
 * (checked against a TN_NO_CLONES build; only which NaN payload a NaN result carries can
 * differ); only the vector width differs. TN_NO_CLONES turns it off. */
#ifndef TN_CORE_SIMD_H
#define TN_CORE_SIMD_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(TN_NO_CLONES)
#define TN__CLONES __attribute__((target_clones("avx2", "default")))
#else
#define TN__CLONES
#endif

#endif

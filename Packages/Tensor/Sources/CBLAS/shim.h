// OpenBLAS's C interface (Debian: libopenblas-dev), and the float control word (below). cblas.h also declares
// openblas_set_num_threads / openblas_get_num_threads, which KilnTensor uses
// to set the BLAS thread count.
#include <cblas.h>

// The calling thread's floating-point control word, for KilnTensor's FloatEnvironment:
// whether subnormal results are flushed to zero and subnormal inputs read as zero
// (x86-64: MXCSR's FTZ and DAZ bits; arm64: FPCR's FZ bit). Elsewhere these do nothing.
#include <stdint.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
static inline uint64_t kiln_float_control(void) { return _mm_getcsr(); }
static inline void kiln_set_float_control(uint64_t word) { _mm_setcsr((unsigned int)word); }
static inline uint64_t kiln_flush_denormals_bits(void) { return 0x8040; }
#elif defined(__aarch64__)
static inline uint64_t kiln_float_control(void) { uint64_t r; __asm__ volatile("mrs %0, fpcr" : "=r"(r)); return r; }
static inline void kiln_set_float_control(uint64_t word) { __asm__ volatile("msr fpcr, %0" : : "r"(word)); }
static inline uint64_t kiln_flush_denormals_bits(void) { return (uint64_t)1 << 24; }
#else
static inline uint64_t kiln_float_control(void) { return 0; }
static inline void kiln_set_float_control(uint64_t word) { (void)word; }
static inline uint64_t kiln_flush_denormals_bits(void) { return 0; }
#endif

// OpenBLAS's C interface (Debian: libopenblas-dev). cblas.h also declares
// openblas_set_num_threads / openblas_get_num_threads, which KilnTensor uses
// to set the BLAS thread count.
#include <cblas.h>

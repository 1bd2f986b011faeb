// CZlib: zlib for Swift (not API; KilnData wraps it). Debian: zlib1g-dev.
//
// Swift cannot call zlib's function-like macros (inflateInit2, deflateInit2), which pass
// the library version and the z_stream size to the real entry points, so they are
// re-exported here as inline functions.
#ifndef KILN_CZLIB_SHIM_H
#define KILN_CZLIB_SHIM_H

#include <zlib.h>

/// inflateInit2(stream, windowBits): 15 + 16 reads a gzip stream (header and CRC-32 checked).
static inline int kiln_inflate_init2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

/// deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel 8, Z_DEFAULT_STRATEGY):
/// windowBits 15 + 16 writes a gzip stream.
static inline int kiln_deflate_init2(z_streamp stream, int level, int windowBits) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}

#endif

// CLibPNG: libpng 1.6 for Swift (not API; KilnAugmentation wraps it).
//
// Swift imports png.h's functions and structs, but not macros built from other macros or
// expressions, so the simplified-API format codes and helpers are re-exported here as
// constants and inline functions.
#ifndef KILN_CLIBPNG_SHIM_H
#define KILN_CLIBPNG_SHIM_H

#include <png.h>
#include <stddef.h>

static const png_uint_32 kiln_png_image_version = PNG_IMAGE_VERSION;
static const png_uint_32 kiln_png_image_warning = PNG_IMAGE_WARNING;
static const png_uint_32 kiln_png_image_error = PNG_IMAGE_ERROR;

static const png_uint_32 kiln_png_format_flag_alpha = PNG_FORMAT_FLAG_ALPHA;
static const png_uint_32 kiln_png_format_flag_color = PNG_FORMAT_FLAG_COLOR;
static const png_uint_32 kiln_png_format_flag_linear = PNG_FORMAT_FLAG_LINEAR;
static const png_uint_32 kiln_png_format_flag_colormap = PNG_FORMAT_FLAG_COLORMAP;

static const png_uint_32 kiln_png_format_gray = PNG_FORMAT_GRAY;
static const png_uint_32 kiln_png_format_ga = PNG_FORMAT_GA;
static const png_uint_32 kiln_png_format_rgb = PNG_FORMAT_RGB;
static const png_uint_32 kiln_png_format_rgba = PNG_FORMAT_RGBA;
static const png_uint_32 kiln_png_format_linear_y = PNG_FORMAT_LINEAR_Y;
static const png_uint_32 kiln_png_format_linear_rgb = PNG_FORMAT_LINEAR_RGB;
static const png_uint_32 kiln_png_format_linear_rgb_alpha = PNG_FORMAT_LINEAR_RGB_ALPHA;

/// Bytes of the decoded buffer for `image`'s current format (PNG_IMAGE_SIZE with row
/// stride 0): call it after setting `image->format`.
static inline size_t kiln_png_image_size(const png_image *image) {
    return PNG_IMAGE_SIZE(*image);
}

/// Samples per pixel of `format` (PNG_IMAGE_SAMPLE_CHANNELS).
static inline unsigned kiln_png_format_channels(png_uint_32 format) {
    return PNG_IMAGE_SAMPLE_CHANNELS(format);
}

/// Whether the error bit is set (PNG_IMAGE_FAILED); the warning bit is separate.
static inline int kiln_png_image_failed(const png_image *image) {
    return PNG_IMAGE_FAILED(*image);
}

/// An upper bound on the PNG file size png_image_write_to_memory produces for `image`
/// (PNG_IMAGE_PNG_SIZE_MAX, 8-bit samples, no colormap).
static inline size_t kiln_png_image_png_size_max(const png_image *image) {
    return PNG_IMAGE_PNG_SIZE_MAX(*image);
}

#endif

// The `main` of the png-fuzz executable when it is NOT built with -sanitize=fuzzer.
// Not API.
//
// The fuzz entry point, LLVMFuzzerTestOneInput, is written in Swift (Examples/PNGFuzz).
// Built with `--sanitize=fuzzer`, libFuzzer's runtime brings its own (strong) `main`,
// which would clash with a Swift `@main`. This `main` is weak: with libFuzzer linked, the
// runtime's main wins; in a normal build this one runs the entry once on each file named
// on the command line (a regression run over a corpus), so `swift build` of the whole
// package keeps working.
#include "PNGFuzzMain.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int kiln_png_fuzz_main_version(void) { return 1; }

static int run_files(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: png-fuzz FILE... (built without -sanitize=fuzzer: runs each file once)\n");
        return 64;
    }
    for (int i = 1; i < argc; i++) {
        FILE *file = fopen(argv[i], "rb");
        if (!file) { fprintf(stderr, "png-fuzz: error: %s: cannot open\n", argv[i]); return 1; }
        size_t capacity = 1 << 16, size = 0;
        uint8_t *buffer = malloc(capacity);
        size_t n;
        while (buffer && (n = fread(buffer + size, 1, capacity - size, file)) > 0) {
            size += n;
            if (size == capacity) { capacity *= 2; buffer = realloc(buffer, capacity); }
        }
        fclose(file);
        if (!buffer) { fprintf(stderr, "png-fuzz: error: out of memory\n"); return 1; }
        LLVMFuzzerTestOneInput(buffer, size);
        free(buffer);
        printf("%s: %zu bytes, ok\n", argv[i], size);
    }
    return 0;
}

__attribute__((weak)) int main(int argc, char **argv) { return run_files(argc, argv); }

// SwiftPM on Linux links executables with `main` aliased to `<Module>_main` (the entry
// point it asks the Swift compiler to emit); the png-fuzz module has no Swift entry point
// (libFuzzer must own `main` in fuzz builds), so the alias resolves here.
__attribute__((weak)) int PNGFuzz_main(int argc, char **argv) { return run_files(argc, argv); }

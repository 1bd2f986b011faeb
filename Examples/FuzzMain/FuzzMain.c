// The `main` of the fuzz executables when they are NOT built with -sanitize=fuzzer.
// Not API.
//
// Each fuzz entry point, LLVMFuzzerTestOneInput, is written in Swift (Examples/PNGFuzz,
// Examples/SpecFuzz, Examples/IDXFuzz). Built with `--sanitize=fuzzer`, libFuzzer's
// runtime brings its own (strong) `main`, which would clash with a Swift `@main`. The
// `main` here is weak: with libFuzzer linked, the runtime's wins; in a plain build this
// one runs the entry once on each file named on the command line (a regression run over
// a corpus or a finding), so `swift build` of the whole package keeps working.
#include "KilnFuzzMain.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int kiln_fuzz_main_version(void) { return 1; }

static int run_files(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE... (built without -sanitize=fuzzer: runs each file once)\n", argv[0]);
        return 64;
    }
    for (int i = 1; i < argc; i++) {
        FILE *file = fopen(argv[i], "rb");
        if (!file) { fprintf(stderr, "%s: error: %s: cannot open\n", argv[0], argv[i]); return 1; }
        size_t capacity = 1 << 16, size = 0;
        uint8_t *buffer = malloc(capacity);
        size_t n;
        while (buffer && (n = fread(buffer + size, 1, capacity - size, file)) > 0) {
            size += n;
            if (size == capacity) {
                uint8_t *grown = realloc(buffer, capacity * 2);
                if (!grown) { free(buffer); buffer = NULL; break; }
                buffer = grown;
                capacity *= 2;
            }
        }
        fclose(file);
        if (!buffer) { fprintf(stderr, "%s: error: out of memory\n", argv[0]); return 1; }
        LLVMFuzzerTestOneInput(buffer, size);
        free(buffer);
        printf("%s: %zu bytes, ok\n", argv[i], size);
    }
    return 0;
}

__attribute__((weak)) int main(int argc, char **argv) { return run_files(argc, argv); }

// SwiftPM on Linux links an executable with `main` aliased to `<Module>_main` (the entry
// point it asks the Swift compiler to emit). The fuzz modules have no Swift entry point
// (libFuzzer must own `main` in fuzz builds), so the aliases resolve here, one per target.
__attribute__((weak)) int PNGFuzz_main(int argc, char **argv) { return run_files(argc, argv); }
__attribute__((weak)) int SpecFuzz_main(int argc, char **argv) { return run_files(argc, argv); }
__attribute__((weak)) int IDXFuzz_main(int argc, char **argv) { return run_files(argc, argv); }
__attribute__((weak)) int SafeTensorsFuzz_main(int argc, char **argv) { return run_files(argc, argv); }

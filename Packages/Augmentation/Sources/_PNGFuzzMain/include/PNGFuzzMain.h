// _PNGFuzzMain: not API. The weak `main` of the png-fuzz executable (see PNGFuzzMain.c).
#ifndef KILN_PNG_FUZZ_MAIN_H
#define KILN_PNG_FUZZ_MAIN_H

/// The libFuzzer-independent driver version (for linking checks).
int kiln_png_fuzz_main_version(void);

#endif

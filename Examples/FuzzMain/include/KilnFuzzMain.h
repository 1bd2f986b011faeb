// KilnFuzzMain: not API. The weak C `main` shared by the fuzz executables (png-fuzz,
// spec-fuzz, idx-fuzz); see FuzzMain.c.
#ifndef KILN_FUZZ_MAIN_H
#define KILN_FUZZ_MAIN_H

/// A symbol each fuzz target references so the linker keeps this object file (and its
/// weak `main`) in plain builds.
int kiln_fuzz_main_version(void);

#endif

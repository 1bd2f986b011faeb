import KilnFuzzMain

/// libFuzzer entry for spec strings: the input, read as UTF-8 (invalid bytes become U+FFFD),
/// goes through `Spec` parsing and then through every registry (layers, optimizers,
/// schedules, regularizers, initializers, transforms) and a model build for a small image.
/// Any input must end in a value or a thrown error: a trap, a sanitizer report, a hang or
/// unbounded memory is a finding. Whatever parses must print back to a spec that parses
/// to the same thing, and whatever a registry makes must print a spec it makes again.
///
/// Build and run: `scripts/fuzz.sh spec SECONDS` (see the README's hardening section).
/// Built without `-sanitize=fuzzer`, `spec-fuzz FILE...` runs the entry once per file
/// (the weak C `main` of `KilnFuzzMain`). Two Swift files and no `@main` on purpose: a
/// single-file executable is compiled as a script with its own `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func specFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = kiln_fuzz_main_version()
    // Specs are command-line flags; longer inputs only slow the search down.
    guard size <= 4096 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    checkSpecText(text)
    return 0
}

import KilnFuzzMain

/// libFuzzer entry for Kiln's untrusted-file readers. The first byte picks the reader:
/// even, the safetensors reader and `Sequential.load` on what it read; odd, an ensemble's
/// `ensemble.json` (`Ensemble.checkManifest`). Any input must end in a value or a thrown
/// error: a trap, a sanitizer report, a hang or unbounded memory is a finding. A file that
/// reads must encode and read back to the same file.
///
/// Build and run: `scripts/fuzz.sh safetensors SECONDS`. Built without `-sanitize=fuzzer`,
/// `safetensors-fuzz FILE...` runs the entry once per file (the weak C `main` of `KilnFuzzMain`).
@_cdecl("LLVMFuzzerTestOneInput")
public func safeTensorsFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = kiln_fuzz_main_version()
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] % 2 == 0 { checkSafeTensorsBytes(bytes) } else { checkManifestBytes(bytes) }
    return 0
}

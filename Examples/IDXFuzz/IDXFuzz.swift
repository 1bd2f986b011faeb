import KilnFuzzMain

/// libFuzzer entry for the IDX reader: the input is a whole file, raw or gzip-compressed
/// (`IDXFile.parse(bytes:name:maximumDataSize:)` detects which), parsed under a 16 MB data
/// limit so a gzip bomb is an error, not an allocation. Any input must end in a file or a
/// thrown `DataError`: a trap, a sanitizer report, a hang or unbounded memory is a finding.
/// A file that parses must encode, (gzip and) parse again to the same file, and its labels
/// and tensor views must keep their sizes.
///
/// Build and run: `scripts/fuzz.sh idx SECONDS`. Built without `-sanitize=fuzzer`,
/// `idx-fuzz FILE...` runs the entry once per file (the weak C `main` of `KilnFuzzMain`).
@_cdecl("LLVMFuzzerTestOneInput")
public func idxFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = kiln_fuzz_main_version()
    checkIDXBytes(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

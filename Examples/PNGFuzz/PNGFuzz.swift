import KilnFuzzMain
import KilnAugmentation

/// libFuzzer entry for the PNG decoder: decodes the input in its natural form, as gray and
/// as RGBA, under a 4 Mpixel limit. Any input must end in an image or a thrown `PNGError`:
/// a crash, a sanitizer report, a hang or unbounded memory is a finding. When an image
/// decodes, it is also re-encoded and decoded again (the round trip must be exact).
///
/// Build and run (see Packages/Augmentation/README.md):
/// ```
/// swift build --product png-fuzz --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
/// SWIFT_BACKTRACE=enable=no .build/debug/png-fuzz -max_total_time=600 -rss_limit_mb=2048 CORPUS_DIR
/// ```
/// Built normally, `png-fuzz FILE...` runs the entry once per file (the C `main` of
/// `KilnFuzzMain` (Examples/FuzzMain), weak so libFuzzer's replaces it). The target has two Swift files on
/// purpose: a single-file executable is compiled as a script with its own (empty) `main`,
/// which would shadow the weak C one.
@_cdecl("LLVMFuzzerTestOneInput")
public func pngFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = kiln_fuzz_main_version()
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for channels in [nil, 1, 4] as [Int?] {
        guard let image = try? PNG.decode(bytes, channels: channels, pixelLimit: 4 << 20) else { continue }
        checkDecoded(image)
    }
    return 0
}

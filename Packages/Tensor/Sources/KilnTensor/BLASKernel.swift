import CBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes sure OpenBLAS runs the kernels this CPU can run.
///
/// A `DYNAMIC_ARCH` OpenBLAS (Debian's) picks its kernels when it loads, from the CPU
/// model. A CPU newer than the library (OpenBLAS 0.3.21 of Debian 12 on an Intel Xeon of
/// model 0xCF, as on the machines Kiln is measured on) is not recognised and gets the
/// generic x86-64 "Prescott" SSE3 kernels: measured here with `../shared/peers/gemm_cblas.c`
/// at 1 thread, 13–29 GFLOP/s against 134–152 with the AVX-512 "SkylakeX" kernels that the
/// CPU runs fine.
///
/// So, once, before Kiln's first BLAS call: when the library chose a generic core
/// (Prescott, Core2, Nehalem or Sandybridge), the user has not chosen one
/// (`OPENBLAS_CORETYPE` unset) and `/proc/cpuinfo` shows AVX-512 (F, BW, VL, DQ, CD) or
/// AVX2 with FMA, Kiln sets `OPENBLAS_CORETYPE` to SkylakeX or Haswell and re-runs
/// OpenBLAS's own core selection (`gotoblas_dynamic_init`, exported by dynamic builds,
/// after clearing the exported `gotoblas` table pointer it checks). Nothing else changes:
/// same library, same buffers, same thread pool. `KILN_BLAS_CORETYPE=keep` disables this;
/// `BLAS.coreName` reports the core in use (kiln-bench prints it).
enum BLASKernel {
    /// The cores OpenBLAS falls back to for a CPU it does not know.
    static let genericCores: Set<String> = ["prescott", "core2", "nehalem", "sandybridge"]

    /// Runs the check once (thread-safe: a global's lazy initializer).
    static let ensured: Void = upgradeIfGeneric()

    private static func upgradeIfGeneric() {
        #if os(Linux) && arch(x86_64)
        guard getenv("OPENBLAS_CORETYPE") == nil else { return }
        if let setting = getenv("KILN_BLAS_CORETYPE"), String(cString: setting) == "keep" { return }
        guard let current = openblas_get_corename(), genericCores.contains(String(cString: current).lowercased()) else { return }
        guard let flags = cpuFlags() else { return }
        let target: String
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains) {
            target = "SkylakeX"
        } else if ["avx2", "fma"].allSatisfy(flags.contains) {
            target = "Haswell"
        } else {
            return
        }
        guard let handle = dlopen(nil, RTLD_NOW),
              let table = dlsym(handle, "gotoblas"),
              let initialize = dlsym(handle, "gotoblas_dynamic_init") else { return }
        setenv("OPENBLAS_CORETYPE", target, 1)
        let previous = table.assumingMemoryBound(to: UnsafeMutableRawPointer?.self).pointee
        table.assumingMemoryBound(to: UnsafeMutableRawPointer?.self).pointee = nil
        unsafeBitCast(initialize, to: (@convention(c) () -> Void).self)()
        // force_coretype leaves the table nil for a name it does not know: keep the old one.
        if table.assumingMemoryBound(to: UnsafeMutableRawPointer?.self).pointee == nil {
            table.assumingMemoryBound(to: UnsafeMutableRawPointer?.self).pointee = previous
        }
        unsetenv("OPENBLAS_CORETYPE")
        #endif
    }

    /// The flags line of `/proc/cpuinfo` as a set.
    private static func cpuFlags() -> Set<Substring>? {
        guard let file = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            let text = String(cString: line!)
            if text.hasPrefix("flags") {
                guard let colon = text.firstIndex(of: ":") else { return nil }
                return Set(text[text.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\n" }))
            }
        }
        return nil
    }
}

import Foundation
import Testing
@testable import KilnTensor

/// Kiln never leaves OpenBLAS on its generic kernels on a CPU that has AVX2 and FMA or
/// AVX-512 (see BLASKernel.swift): Debian's OpenBLAS 0.3.21 picks "Prescott" for CPUs newer
/// than itself, five to ten times slower.
@Test func openBLASRunsKernelsForThisCPU() throws {
    _ = BLAS.threadCount  // the check runs before the first BLAS use
    let environment = ProcessInfo.processInfo.environment
    guard environment["OPENBLAS_CORETYPE"] == nil, environment["KILN_BLAS_CORETYPE"] != "keep" else { return }
    guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
    let flags = Set(flagsLine.split(whereSeparator: { $0 == " " || $0 == ":" || $0 == "\t" }))
    let capable = flags.contains("avx2") && flags.contains("fma")
    let core = BLAS.coreName.lowercased()
    if capable {
        #expect(!BLASKernel.genericCores.contains(core), "OpenBLAS runs its generic \(BLAS.coreName) kernels on an AVX2/FMA CPU")
    }
    #expect(!core.isEmpty && core != "unknown")
    // GEMM still gives the right answer on the kernels chosen.
    let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let b = Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
    #expect(matmul(a, b) == Tensor(shape: [2, 2], scalars: [58, 64, 139, 154]))
}

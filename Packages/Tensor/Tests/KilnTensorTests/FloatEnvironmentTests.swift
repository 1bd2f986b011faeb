import Testing
@testable import KilnTensor

/// Half the smallest normal float, computed at run time (so the compiler cannot fold it):
/// a subnormal number, or 0 when the thread flushes subnormals.
@inline(never)
func halfOfTheSmallestNormal(_ scale: [Float]) -> Float { Float.leastNormalMagnitude * scale[0] }

@Suite struct FloatEnvironmentTests {
    #if arch(x86_64) || arch(arm64)
    @Test func flushingTurnsSubnormalResultsIntoZeroAndIsRestored() {
        let half: [Float] = [0.5]
        #expect(!FloatEnvironment.flushesSubnormals)
        #expect(halfOfTheSmallestNormal(half) > 0)
        FloatEnvironment.withSubnormalsFlushed {
            #expect(FloatEnvironment.flushesSubnormals)
            #expect(halfOfTheSmallestNormal(half) == 0)
        }
        #expect(!FloatEnvironment.flushesSubnormals)
        #expect(halfOfTheSmallestNormal(half) > 0)
    }

    /// Workers run in the caller's mode, whichever it is, for any thread count.
    @Test(arguments: [1, 2, 4])
    func parallelWorkersTakeTheCallersMode(threads: Int) {
        let half: [Float] = [0.5]
        for flushed in [false, true] {
            var results = [Float](repeating: -1, count: 8)
            let run = {
                results.withUnsafeMutableBufferPointer { out in
                    Parallel.forEach(8, threads: threads) { item, _ in out[item] = halfOfTheSmallestNormal(half) }
                }
            }
            if flushed { FloatEnvironment.withSubnormalsFlushed(run) } else { run() }
            #expect(results.allSatisfy { flushed ? $0 == 0 : $0 > 0 }, "flushed \(flushed), threads \(threads)")
        }
    }
    #endif
}

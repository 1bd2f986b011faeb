import KilnTensor
import Testing

// The Tensor README's example, compiled and run here (ReadmeSnippetTests checks that the
// README shows these lines).
@Suite struct TensorReadmeTests {
    @Test func theTour() throws {
        // snippet tensor-tour
        var rng = RandomGenerator(seed: 1)                          // SplitMix-seeded, reproducible
        let x = Tensor.normal([4, 3], using: &rng)                  // [rows, features], Float32
        let w = Tensor.uniform([3, 2], low: -1, high: 1, using: &rng)
        let y = matmul(x, w)                                        // cblas_sgemm: [4, 2]
        let z = (y * 2 + 1).sum(axis: 0)                            // broadcasting and reductions: [2]
        var copy = x                                                // copy-on-write: no copy yet
        copy[0, 0] = 42                                             // now copied; x is unchanged
        let weight = Parameter(name: "0.dense.weight", value: w)    // a value and its gradient
        Parallel.forEach(8, threads: Parallel.availableCores) { item, worker in
            _ = (item, worker)                                      // item i runs on worker i mod threads
        }
        // end snippet
        #expect(y.shape == [4, 2] && z.shape == [2] && x[0, 0] != 42 && copy[0, 0] == 42)
        #expect(weight.gradient == Tensor.zeros([3, 2]))
    }
}

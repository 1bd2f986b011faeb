import KilnData
import KilnTensor

/// Three Gaussian blobs in `dimensions` dimensions: a small, learnable classification set
/// for tests that must train in seconds in debug builds.
/// The centers depend on `seed` only; `noiseSeed` draws the points around them (use
/// another one for a test set from the same distribution).
func blobs(count: Int, dimensions: Int = 8, classes: Int = 3, seed: UInt64, noiseSeed: UInt64? = nil) -> TensorDataset {
    var centerRNG = RandomGenerator(seed: seed)
    var centers: [[Float]] = []
    for _ in 0..<classes { centers.append((0..<dimensions).map { _ in centerRNG.normal(mean: 0, std: 2) }) }
    var rng = RandomGenerator(seed: noiseSeed ?? seed &+ 1000)
    var scalars: [Float] = []
    var labels: [Int] = []
    for i in 0..<count {
        let c = i % classes
        labels.append(c)
        for d in 0..<dimensions { scalars.append(centers[c][d] + rng.normal(mean: 0, std: 1.5)) }
    }
    return TensorDataset(inputs: Tensor(shape: [count, dimensions], scalars: scalars), labels: labels,
                         classNames: (0..<classes).map { "class \($0)" })
}

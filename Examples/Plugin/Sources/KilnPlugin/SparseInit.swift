import KilnInit
import KilnTensor

/// `sparse(density=0.1, std=0.05)`: each weight is nonzero with probability `density`, then
/// drawn from N(0, std²); the rest are 0 (a sparse initialization in the spirit of Martens 2010).
struct SparseInit: Initializer {
    var density: Float
    var std: Float

    func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        let keep = Tensor.bernoulli(shape, p: density, using: &rng)
        return Tensor.normal(shape, std: std, using: &rng) * keep
    }
    var description: String { "sparse(density=\(density), std=\(std))" }
}

func registerSparseInit() {
    initializers.register("sparse") { spec in
        SparseInit(density: try spec.float("density", at: 0, default: 0.1, in: 0...1),
                   std: try spec.float("std", at: 1, default: 0.05, in: 0...))
    }
}

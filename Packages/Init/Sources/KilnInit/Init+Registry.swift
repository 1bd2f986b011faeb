import KilnRegistry

/// Every built-in initializer by name, and the place to add your own:
///
/// ```swift
/// let w = try initializers.make("he-normal(mode=fan-out)")
///     .make(shape: [784, 256], fan: .dense(inputs: 784, outputs: 256), rng: &rng)
/// initializers.register("my-init") { spec in MyInit(scale: try spec.float("scale", default: 1)) }
/// ```
///
/// Names (aliases in brackets): `zeros`, `ones`, `constant(value)`, `normal(mean=0, std=1)`,
/// `uniform(low=-0.05, high=0.05)`, `truncated-normal(mean=0, std=1)`, `lecun-normal`,
/// `lecun-uniform`, `fan-in-uniform`, `xavier-normal(gain=1)` [`glorot-normal`],
/// `xavier-uniform(gain=1)` [`glorot-uniform`], `he-normal(mode=fan-in, slope=0)`
/// [`msra-normal`, `kaiming-normal`], `he-uniform(mode=fan-in, slope=0)` [`msra-uniform`,
/// `kaiming-uniform`], `orthogonal(gain=1)`,
/// `variance-scaling(scale=1, mode=fan-in, distribution=truncated-normal)`.
public let initializers: Registry<any Initializer> = {
    let registry = Registry<any Initializer>(kind: "initializer")
    registerBuiltInInitializers(in: registry)
    return registry
}()

/// Registers the built-in initializers in `registry` (``initializers`` is made this way;
/// call it to build a registry of your own that starts from the built-ins).
public func registerBuiltInInitializers(in registry: Registry<any Initializer>) {
    registry.register("zeros") { _ in Zeros() }
    registry.register("ones") { _ in Ones() }
    registry.register("constant") { spec in Constant(try spec.finiteFloat("value", at: 0, default: nil)) }
    registry.register("normal") { spec in
        RandomNormal(mean: try spec.finiteFloat("mean", at: 0, default: 0), std: try spec.nonNegativeFloat("std", at: 1, default: 1))
    }
    registry.register("uniform") { spec in
        let low = try spec.finiteFloat("low", at: 0, default: -0.05)
        let high = try spec.finiteFloat("high", at: 1, default: 0.05)
        guard low <= high else {
            throw SpecArgumentError(spec: spec, key: "high", message: "must be >= low (\(Spec.format(low))), got \(Spec.format(high))")
        }
        return RandomUniform(low: low, high: high)
    }
    registry.register("truncated-normal") { spec in
        TruncatedNormal(mean: try spec.finiteFloat("mean", at: 0, default: 0), std: try spec.nonNegativeFloat("std", at: 1, default: 1))
    }
    registry.register("lecun-normal") { _ in LeCunNormal() }
    registry.register("lecun-uniform") { _ in LeCunUniform() }
    registry.register("fan-in-uniform") { _ in FanInUniform() }
    registry.register("xavier-normal", aliases: ["glorot-normal"]) { spec in
        XavierNormal(gain: try spec.nonNegativeFloat("gain", at: 0, default: 1))
    }
    registry.register("xavier-uniform", aliases: ["glorot-uniform"]) { spec in
        XavierUniform(gain: try spec.nonNegativeFloat("gain", at: 0, default: 1))
    }
    registry.register("he-normal", aliases: ["msra-normal", "kaiming-normal"]) { spec in
        HeNormal(mode: try spec.fanMode(), slope: try spec.finiteFloat("slope", default: 0))
    }
    registry.register("he-uniform", aliases: ["msra-uniform", "kaiming-uniform"]) { spec in
        HeUniform(mode: try spec.fanMode(), slope: try spec.finiteFloat("slope", default: 0))
    }
    registry.register("orthogonal") { spec in Orthogonal(gain: try spec.nonNegativeFloat("gain", at: 0, default: 1)) }
    registry.register("variance-scaling") { spec in
        let scale = try spec.positiveFloat("scale", at: 0, default: 1)
        let mode = try spec.fanMode()
        let names = VarianceScaling.Distribution.allCases.map(\.rawValue)
        let distribution = VarianceScaling.Distribution(
            rawValue: try spec.word("distribution", default: "truncated-normal", oneOf: names))!
        return VarianceScaling(scale: scale, mode: mode, distribution: distribution)
    }
}

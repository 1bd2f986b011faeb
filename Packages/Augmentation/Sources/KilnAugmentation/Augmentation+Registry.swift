import KilnRegistry

/// Every built-in transform by name, and the place to add your own:
///
/// ```swift
/// let pipeline = try TransformPipeline("random-crop(width=28, height=28, padding=2)|random-flip")
/// transforms.register("my-shear") { spec in MyShear(k: try spec.double("k", default: 0.1)) }
/// ```
///
/// Names: `crop(x, y, width, height)`, `center-crop(width, height)`,
/// `random-crop(width, height, padding=0, padding_mode=constant|edge|reflect)`,
/// `flip(axis=horizontal|vertical)`, `random-flip(axis=horizontal, p=0.5)`,
/// `rotate(degrees, interpolation=bilinear|nearest, fill=0)`,
/// `random-rotate(degrees, interpolation=bilinear, fill=0)` (uniform in ±degrees),
/// `scale(factor, interpolation=bilinear, fill=0)`,
/// `random-scale(min, max, interpolation=bilinear, fill=0)`, `resize(width, height)`,
/// `random-erasing(p=0.5, min_area=0.02, max_area=0.33, min_ratio=0.3, max_ratio=3.3, value=0)`.
/// Arguments may be given by position in the order listed.
public let transforms: Registry<any Transform> = {
    let registry = Registry<any Transform>(kind: "transform")
    registerBuiltInTransforms(in: registry)
    return registry
}()

/// Registers the built-in transforms in `registry` (``transforms`` is made this way).
public func registerBuiltInTransforms(in registry: Registry<any Transform>) {
    registry.register("crop") { spec in
        Crop(x: try spec.int("x", at: 0, default: nil, in: -(1 << 20)...(1 << 20)),
             y: try spec.int("y", at: 1, default: nil, in: -(1 << 20)...(1 << 20)),
             width: try spec.size("width", at: 2), height: try spec.size("height", at: 3))
    }
    registry.register("center-crop") { spec in
        CenterCrop(width: try spec.size("width", at: 0), height: try spec.size("height", at: 1))
    }
    registry.register("random-crop") { spec in
        RandomCrop(width: try spec.size("width", at: 0), height: try spec.size("height", at: 1),
                   padding: try spec.int("padding", at: 2, default: 0, in: 0...(1 << 20)),
                   paddingMode: RandomCrop.PaddingMode(rawValue: try spec.word(
                       "padding_mode", at: 3, default: "constant", oneOf: RandomCrop.PaddingMode.allCases.map(\.rawValue)))!)
    }
    registry.register("flip") { spec in Flip(axis: try spec.axis(at: 0)) }
    registry.register("random-flip") { spec in
        let axis = try spec.axis(at: 0)
        let p = try spec.double("p", at: 1, default: 0.5)
        guard (0...1).contains(p) else { throw SpecArgumentError(spec: spec, key: "p", message: "must be in [0, 1], got \(specText(p))") }
        return RandomFlip(axis: axis, p: p)
    }
    registry.register("rotate") { spec in
        Rotate(degrees: try spec.finite("degrees", at: 0), interpolation: try spec.interpolation(), fill: try spec.fill())
    }
    registry.register("random-rotate") { spec in
        let degrees = try spec.finite("degrees", at: 0)
        guard degrees >= 0 else { throw SpecArgumentError(spec: spec, key: "degrees", message: "must be >= 0, got \(specText(degrees))") }
        return RandomRotate(degrees: degrees, interpolation: try spec.interpolation(), fill: try spec.fill())
    }
    registry.register("scale") { spec in
        Scale(factor: try spec.factor("factor", at: 0), interpolation: try spec.interpolation(), fill: try spec.fill())
    }
    registry.register("random-scale") { spec in
        let low = try spec.factor("min", at: 0), high = try spec.factor("max", at: 1)
        guard low <= high else {
            throw SpecArgumentError(spec: spec, key: "max", message: "must be >= min (\(specText(low))), got \(specText(high))")
        }
        return RandomScale(min: low, max: high, interpolation: try spec.interpolation(), fill: try spec.fill())
    }
    registry.register("resize") { spec in Resize(width: try spec.size("width", at: 0), height: try spec.size("height", at: 1)) }
    registry.register("random-erasing") { spec in
        let p = try spec.double("p", at: 0, default: 0.5)
        guard (0...1).contains(p) else { throw SpecArgumentError(spec: spec, key: "p", message: "must be in [0, 1], got \(specText(p))") }
        let area = try spec.range("min_area", "max_area", at: 1, default: 0.02...0.33, limits: 0...1)
        let ratio = try spec.range("min_ratio", "max_ratio", at: 3, default: 0.3...3.3, limits: 0.001...1000)
        return RandomErasing(p: p, area: area, ratio: ratio, value: try spec.finiteFloat("value", at: 5, default: 0))
    }
}

extension Spec {
    /// Two finite arguments `low` (at `index`) and `high` (next) inside `limits`, with
    /// low <= high.
    fileprivate func range(_ low: String, _ high: String, at index: Int, default value: ClosedRange<Double>,
                           limits: ClosedRange<Double>) throws(SpecArgumentError) -> ClosedRange<Double> {
        let a = try finite(low, at: index, default: value.lowerBound), b = try finite(high, at: index + 1, default: value.upperBound)
        for (key, x) in [(low, a), (high, b)] where !limits.contains(x) {
            throw SpecArgumentError(spec: self, key: key, message: "must be in [\(specText(limits.lowerBound)), \(specText(limits.upperBound))], got \(specText(x))")
        }
        guard a <= b else { throw SpecArgumentError(spec: self, key: high, message: "must be >= \(low) (\(specText(a))), got \(specText(b))") }
        return a...b
    }

    fileprivate func axis(at index: Int) throws(SpecArgumentError) -> FlipAxis {
        FlipAxis(rawValue: try word("axis", at: index, default: "horizontal", oneOf: FlipAxis.allCases.map(\.rawValue)))!
    }

    /// A zoom factor: finite, in [0.001, 1000].
    fileprivate func factor(_ key: String, at index: Int) throws(SpecArgumentError) -> Double {
        let x = try finite(key, at: index)
        guard x >= 0.001, x <= 1000 else {
            throw SpecArgumentError(spec: self, key: key, message: "must be in [0.001, 1000], got \(specText(x))")
        }
        return x
    }
}

import KilnRegistry
import KilnTensor

/// The checks every ``Transform`` must pass, for your own transforms too:
/// ```swift
/// try TransformConformance.check(MyShear(k: 0.2))
/// ```
public enum TransformConformance {
    /// A failed requirement: which transform, which rule.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Checks, on a few input sizes: the warp's size equals `outputSize`; the same seed
    /// gives the same warp and image; a deterministic transform leaves the generator
    /// untouched; `description` re-made by `registry` gives the same description and warps.
    public static func check(_ transform: any Transform, registry: Registry<any Transform> = transforms) throws {
        let remade = try registry.make(transform.description)
        guard remade.description == transform.description else {
            throw Failure(description: "\(transform): re-made from its description prints \(remade)")
        }
        for (w, h) in [(1, 1), (5, 3), (28, 28), (9, 16)] {
            let size = transform.outputSize(width: w, height: h)
            var rng1 = RandomGenerator(seed: 7), rng2 = RandomGenerator(seed: 7), rng3 = RandomGenerator(seed: 7)
            let w1 = transform.warp(width: w, height: h, rng: &rng1)
            let w2 = transform.warp(width: w, height: h, rng: &rng2)
            let w3 = remade.warp(width: w, height: h, rng: &rng3)
            guard w1.outputWidth == size.width, w1.outputHeight == size.height else {
                throw Failure(description: "\(transform): warp size \(w1.outputWidth)x\(w1.outputHeight) differs from outputSize \(size)")
            }
            guard w1 == w2, w1 == w3 else { throw Failure(description: "\(transform): the same seed gave different warps") }
            if !transform.isRandom, rng1.state != RandomGenerator(seed: 7).state {
                throw Failure(description: "\(transform): deterministic but drew from the generator")
            }
            var pixels = [Float](repeating: 0, count: w * h)
            for i in pixels.indices { pixels[i] = Float(i % 7) / 7 }
            let image = try FloatImage(width: w, height: h, channels: 1, pixels: pixels)
            var r1 = RandomGenerator(seed: 3), r2 = RandomGenerator(seed: 3)
            let a = transform.apply(image, rng: &r1), b = transform.apply(image, rng: &r2)
            guard a == b, a.width == size.width, a.height == size.height else {
                throw Failure(description: "\(transform): applying twice with the same seed differs or has the wrong size")
            }
        }
    }
}

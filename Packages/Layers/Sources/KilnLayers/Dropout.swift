import KilnRegistry
import KilnTensor

/// `dropout(rate)`: inverted dropout. In training each element is kept with probability
/// keep = 1 − rate and scaled by 1/keep (so the expected activation is unchanged and
/// evaluation needs no rescaling); in evaluation the layer is the identity.
///
/// `rate` must be in [0, 1); per-layer rates are separate layers in the spec
/// (`dense(256)|relu|dropout(0.5)|dense(128)|relu|dropout(0.2)|dense(10)`).
/// Masks are drawn per sample: row `r` of a training forward is sample `next + r`, and its
/// mask comes from a generator seeded by `(stream seed, sample)`; `next` then moves on by
/// the batch size. The stream seed is split from the build `rng` and replaced by
/// ``reseed(_:)`` (sample 0) or ``reseed(_:firstSample:)``. The trainer re-seeds every
/// shard of every step with the shard's first position in the epoch, so a sample's mask
/// is the same whatever the shard count, the thread count or the batch it lands in.
/// Backward multiplies by the same mask (gradient 0 for dropped units, 1/keep otherwise).
public final class Dropout: Layer {
    /// The probability that an element is dropped, in [0, 1).
    public let rate: Float
    public var needsInputGradient = true

    private var streamSeed: UInt64 = 0
    private var nextSample = 0
    private var mask = emptyGradient
    private var output = emptyGradient
    private var inputGradient = emptyGradient
    private var lastWasTraining = false

    /// Inverted dropout with drop probability `rate` (in [0, 1)).
    public init(rate: Float) {
        precondition(rate >= 0 && rate < 1, "dropout: rate must be in [0, 1)")
        self.rate = rate
    }

    public var description: String { "dropout(\(Spec.format(rate)))" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        streamSeed = rng.next()
        nextSample = 0
        return inputShape
    }

    public func reseed(_ seed: UInt64) {
        reseed(seed, firstSample: 0)
    }

    public func reseed(_ seed: UInt64, firstSample: Int) {
        streamSeed = seed
        nextSample = firstSample
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        lastWasTraining = training && rate > 0
        guard lastWasTraining else { return input }
        mask.ensureShape(input.shape)
        output.ensureShape(input.shape)
        let keep = 1 - rate
        let scale = 1 / keep
        let rows = input.shape.first ?? 0
        let width = rows > 0 ? input.count / rows : 0
        let (seed, first) = (streamSeed, nextSample)
        mask.withUnsafeMutableBufferPointer { m in
            for r in 0..<rows {
                var gen = RandomGenerator(seed: mixSeed(seed, stream: UInt64(truncatingIfNeeded: first + r)))
                let row = m.baseAddress! + r * width
                for i in 0..<width { row[i] = gen.uniform() < keep ? scale : 0 }
            }
        }
        nextSample = first + rows
        input.withUnsafeBufferPointer { x in
            mask.withUnsafeBufferPointer { m in
                output.withUnsafeMutableBufferPointer { y in
                    for i in 0..<y.count { y[i] = x[i] * m[i] }
                }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard needsInputGradient else { return emptyGradient }
        guard lastWasTraining else { return outputGradient }
        precondition(outputGradient.shape == mask.shape, "dropout: gradient \(outputGradient.shape) should be \(mask.shape)")
        inputGradient.ensureShape(mask.shape)
        outputGradient.withUnsafeBufferPointer { g in
            mask.withUnsafeBufferPointer { m in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    for i in 0..<dx.count { dx[i] = g[i] * m[i] }
                }
            }
        }
        return inputGradient
    }
}

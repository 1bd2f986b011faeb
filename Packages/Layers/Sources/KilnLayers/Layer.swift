import KilnTensor

/// One stage of a network with an explicit backward pass.
///
/// A layer is made unbuilt (by its initializer or by spec through ``layers``), then
/// ``build(inputShape:name:rng:)`` fixes the per-example input shape and creates the
/// parameters. After that the training loop alternates:
///
/// ```swift
/// let y = layer.forward(x, training: true)   // x: [batch] + inputShape
/// let dx = layer.backward(dy)                // dy: dLoss/dy, same shape as y
/// // every parameter's `gradient` now holds this batch's dLoss/dθ
/// ```
///
/// Implementation requirements:
/// - `forward` keeps what `backward` needs; `backward` answers for the **last** `forward`
///   (call it at most once per forward: layers may release what they kept).
/// - `backward` OVERWRITES each parameter's `gradient` (it does not accumulate).
/// - Shapes are per example without the batch axis: `[features]` or CHW `[c, h, w]`.
/// - Randomness comes only from the `rng` given to `build` and from `reseed`.
/// - `description` is the layer's spec, which ``layers`` turns back into an equal layer.
///
/// Performance contract of the built-ins: outputs and input gradients are written into
/// buffers the layer keeps between calls (reallocated only when the batch size changes).
/// The returned tensors share those buffers; holding on to one past the next call is
/// correct (copy-on-write) but costs a copy.
public protocol Layer: AnyObject, CustomStringConvertible {
    /// Prepares the layer for per-example inputs of `inputShape` (no batch axis; `[784]`
    /// or CHW `[1, 28, 28]`), creates its parameters named `"\(name).weight"`,
    /// `"\(name).bias"`, ... drawing only from `rng`, and returns the per-example output
    /// shape. Throws a ``LayerError`` when the layer cannot fit the input.
    func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int]
    /// `input` is `[batch] + inputShape`. Keeps what `backward` needs.
    func forward(_ input: Tensor, training: Bool) -> Tensor
    /// Gradient of the loss w.r.t. the last forward's output -> gradient w.r.t. its input.
    /// Overwrites each parameter's `gradient` with this batch's gradient. When
    /// ``needsInputGradient`` is false the input gradient is skipped and an empty tensor
    /// (shape `[0]`) is returned.
    func backward(_ outputGradient: Tensor) -> Tensor
    /// Trainable parameters (empty for activations).
    var parameters: [Parameter] { get }
    /// Non-trainable state saved in checkpoints and restored by early stopping
    /// (BatchNorm's running mean and variance). Default: none.
    var buffers: [Parameter] { get }
    /// Re-seeds the layer's own randomness (dropout masks). Default: no-op.
    func reseed(_ seed: UInt64)
    /// Re-seeds the layer's randomness for a slice of a larger batch: row `r` of the next
    /// training forward is sample `firstSample + r` of the stream `seed` names. The
    /// trainer calls it on every shard of every step with a seed derived from (run seed,
    /// epoch) and the shard's first position in the epoch, so a layer that draws per row
    /// from `(seed, sample)` (as ``Dropout`` does) gives every sample the same randomness
    /// however the batch is split into shards and whichever thread runs them.
    /// Default: `reseed(seed mixed with firstSample)`, which is deterministic per shard.
    func reseed(_ seed: UInt64, firstSample: Int)
    /// Whether `backward` must compute the gradient w.r.t. the input. ``Sequential`` sets
    /// it to false for its leading layers when nothing upstream needs it (the first dense
    /// layer of an MLP skips its largest GEMM). Default: always true, setting is ignored.
    var needsInputGradient: Bool { get set }
}

extension Layer {
    public var buffers: [Parameter] { [] }
    public func reseed(_ seed: UInt64) {}
    public func reseed(_ seed: UInt64, firstSample: Int) {
        reseed(firstSample == 0 ? seed : mixSeed(seed, stream: UInt64(firstSample)))
    }
    public var needsInputGradient: Bool {
        get { true }
        set {}
    }
}

/// The per-example shape as text, `64x1x1`.
func describeShape(_ shape: [Int]) -> String {
    shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: "x")
}

import KilnRegistry
import KilnTensor

/// Layers applied in order: the model type of Kiln.
///
/// ```swift
/// var rng = RandomGenerator(seed: 1)
/// let model = try Sequential.build(spec: "dense(256)|relu|dropout(0.2)|dense(10)", inputShape: [784], rng: &rng)
/// let logits = model.forward(x, training: true)              // x: [batch, 784]
/// let (loss, dlogits) = SoftmaxCrossEntropy().lossAndGradient(logits: logits, labels: y)
/// _ = model.backward(dlogits)                                 // fills every parameter's gradient
/// ```
///
/// - Names: layer i of a top-level model is `"\(i).\(kind)"` (`0.dense`, `1.relu`), so its
///   parameters are `0.dense.weight`, `0.dense.bias`...; a nested model prefixes its own name.
/// - `description` is the pipeline spec (`dense(256, init=he-normal, bias_init=zeros)|relu|...`),
///   which ``build(spec:inputShape:rng:)`` turns back into the same architecture.
/// - ``needsInputGradient``: when false (the default of models built from a spec, whose
///   input is data), the leading layers skip input gradients they do not need, i.e.
///   every layer up to and including the first one with parameters, and `backward`
///   returns an empty tensor. Set it to true to get dLoss/dinput.
/// - ``reseed(_:)`` gives each layer its own seed mixed from the model's seed and the
///   layer's position.
/// - `relu` directly before `maxpool` runs after it: max(relu(x)) = relu(max(x)) exactly
///   (ReLU is monotone and keeps NaN), and the gradients agree too (a window whose maximum
///   is ≤ 0 passes no gradient either way), so the results are bit-identical while ReLU
///   touches a quarter of the values. Layers keep their positions, names and seeds.
/// - A `conv` that runs directly before a `maxpool` (so also `conv|relu|maxpool`) pools
///   each example of its output as soon as it has written it, while it is still in cache,
///   instead of the pool reading the whole batch back from memory afterwards (the same
///   values).
public final class Sequential: CompositeLayer {
    /// The layers, in order.
    public let layers: [any Layer]
    /// The order `forward` runs the layers in (`backward` runs it reversed): their own,
    /// but for the `relu|maxpool` swap above.
    let executionOrder: [Int]
    /// The per-example input shape given to `build` (empty before).
    public private(set) var inputShape: [Int] = []
    /// The per-example output shape (empty before `build`).
    public private(set) var outputShape: [Int] = []
    /// Whether `backward` returns dLoss/dinput; see the type's documentation.
    public var needsInputGradient = true {
        didSet { propagateInputGradientNeeds() }
    }

    private var cachedParameters: [Parameter] = []
    private var cachedBuffers: [Parameter] = []

    /// A model of `layers`, unbuilt: call `build(inputShape:name:rng:)` (or use
    /// `build(spec:inputShape:rng:)`).
    public init(_ layers: [any Layer]) {
        self.layers = layers
        var order = Array(layers.indices)
        var i = 0
        while i + 1 < layers.count {
            if layers[i] is ReLU && layers[i + 1] is MaxPool2D {
                order.swapAt(i, i + 1)
                i += 2
            } else {
                i += 1
            }
        }
        executionOrder = order
        // A convolution run right before a max pool pools each example as it completes it.
        for (a, b) in zip(order, order.dropFirst()) {
            if let conv = layers[a] as? Conv2D, let pool = layers[b] as? MaxPool2D { conv.nextPool = pool }
        }
    }

    /// Parses a pipeline spec through the ``layers`` registry and builds it for
    /// `inputShape`, naming layers `0.dense`, `1.relu`...; the model's
    /// ``needsInputGradient`` is false (see above).
    ///
    /// Throws the registry's error for an unknown layer name (listing the valid ones) or a
    /// bad argument, and a ``LayerError`` naming the layer's position and spec when a layer
    /// cannot fit the shape it receives.
    public static func build(spec: String, inputShape: [Int], rng: inout RandomGenerator) throws -> Sequential {
        try build(spec: spec, registry: KilnLayers.layers, inputShape: inputShape, rng: &rng)
    }

    /// ``build(spec:inputShape:rng:)`` through `registry` instead of the global ``layers``
    /// (a registry of your own, with your layers, or without some built-ins).
    public static func build(spec: String, registry: Registry<any Layer>, inputShape: [Int],
                             rng: inout RandomGenerator) throws -> Sequential {
        let stages: [Spec]
        do { stages = try Spec.parsePipeline(spec) } catch { throw RegistryError.malformed(kind: "layer", error) }
        let made = try stages.map { try registry.make($0) }
        let model = Sequential(made)
        _ = try model.build(inputShape: inputShape, name: "", rng: &rng)
        model.needsInputGradient = false
        return model
    }

    public var description: String { layers.map(\.description).joined(separator: "|") }
    public var sublayers: [any Layer] { layers }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        guard !layers.isEmpty else { throw LayerError(layer: name.isEmpty ? "model" : name, message: "the model has no layers") }
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw LayerError(layer: "model", message: "input shape \(inputShape) must have positive dimensions")
        }
        var shape = inputShape
        for (i, layer) in layers.enumerated() {
            let kind = Self.kind(of: layer)
            let layerName = name.isEmpty ? "\(i).\(kind)" : "\(name).\(i).\(kind)"
            do {
                shape = try layer.build(inputShape: shape, name: layerName, rng: &rng)
                _ = try LayerLimits.elementCount(shape, of: "its output", layer: layer.description)
            } catch var error as LayerError {
                if error.index == nil { error.index = i }
                throw error
            }
        }
        self.inputShape = inputShape
        outputShape = shape
        cachedParameters = layers.flatMap(\.parameters)
        cachedBuffers = layers.flatMap(\.buffers)
        propagateInputGradientNeeds()
        return shape
    }

    /// The spec name of a layer (`dense` for `dense(256, ...)`), used in parameter names.
    static func kind(of layer: any Layer) -> String {
        let text = layer.description
        if let paren = text.firstIndex(of: "(") { return String(text[..<paren]) }
        if let bar = text.firstIndex(of: "|") { return String(text[..<bar]) }
        return text.isEmpty ? "layer" : text
    }

    /// Layer i needs its input gradient when the model's input does, or when an earlier
    /// layer has parameters (their gradients flow through it).
    private func propagateInputGradientNeeds() {
        var needed = needsInputGradient
        for i in layers.indices {
            layers[i].needsInputGradient = needed
            if !layers[i].parameters.isEmpty { needed = true }
        }
    }

    public var parameters: [Parameter] { cachedParameters }
    public var buffers: [Parameter] { cachedBuffers }

    public func reseed(_ seed: UInt64) {
        for (i, layer) in layers.enumerated() { layer.reseed(mixSeed(seed, stream: UInt64(i))) }
    }

    public func reseed(_ seed: UInt64, firstSample: Int) {
        for (i, layer) in layers.enumerated() { layer.reseed(mixSeed(seed, stream: UInt64(i)), firstSample: firstSample) }
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(!outputShape.isEmpty, "Sequential: forward before build")
        precondition(input.rank == inputShape.count + 1 && Array(input.shape.dropFirst()) == inputShape,
                     "Sequential: input \(input.shape) should be [batch] + \(inputShape)")
        var x = input
        for i in executionOrder { x = layers[i].forward(x, training: training) }
        return x
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        var g = outputGradient
        for i in executionOrder.reversed() {
            let layer = layers[i]
            g = layer.backward(g)
            if !layer.needsInputGradient { return emptyGradient }
        }
        return g
    }
}

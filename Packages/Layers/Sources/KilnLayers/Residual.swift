import KilnTensor

/// `residual(BODY)` and `residual(BODY, shortcut=SHORTCUT)`: a residual block,
///
///     y = BODY(x) + SHORTCUT(x)          (SHORTCUT is the identity when not given)
///
/// BODY and SHORTCUT are layer pipelines written inline, with `|` inside the parentheses:
/// `residual(conv(16, 3, padding=1)|batchnorm|relu|conv(16, 3, padding=1)|batchnorm)`, or,
/// when the block changes the shape, a projection shortcut:
/// `residual(conv(32, 3, stride=2, padding=1)|batchnorm|relu|conv(32, 3, padding=1)|batchnorm,
/// shortcut=conv(32, 1, stride=2)|batchnorm)` (He et al. 2016's "option B"). The block
/// adds no activation after the sum; write `|relu` after it, as ResNet does.
///
/// Backward: the gradient flows through both branches and their input gradients add,
/// dL/dx = BODYᵀ(g) + SHORTCUTᵀ(g) (g itself for the identity), which is why deep stacks
/// of blocks still train: the identity path carries the gradient unchanged.
///
/// Parameters are named inside the block: `2.residual.body.0.conv.weight`,
/// `2.residual.shortcut.0.conv.weight`. Building fails when BODY and SHORTCUT give
/// different shapes, with a message naming both.
public final class Residual: CompositeLayer {
    /// The main branch.
    public let body: Sequential
    /// The projection branch, or nil for the identity.
    public let shortcut: Sequential?
    public var needsInputGradient = true {
        didSet {
            body.needsInputGradient = needsInputGradient
            shortcut?.needsInputGradient = needsInputGradient
        }
    }

    private var output = emptyGradient
    private var inputGradient = emptyGradient

    /// A block of unbuilt layers: `body` (at least one layer) and an optional projection
    /// `shortcut` (nil: the identity).
    public init(body: [any Layer], shortcut: [any Layer]? = nil) {
        precondition(!body.isEmpty, "residual: the body has no layers")
        self.body = Sequential(body)
        self.shortcut = shortcut.map { Sequential($0) }
    }

    public var sublayers: [any Layer] { body.layers + (shortcut?.layers ?? []) }

    public var description: String {
        var text = "residual(\(body.description)"
        if let shortcut { text += ", shortcut=\(shortcut.description)" }
        return text + ")"
    }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        let prefix = name.isEmpty ? "residual" : name
        let bodyShape = try buildBranch(body, "body", inputShape: inputShape, name: prefix, rng: &rng)
        let shortcutShape = try shortcut.map { try buildBranch($0, "shortcut", inputShape: inputShape, name: prefix, rng: &rng) } ?? inputShape
        guard bodyShape == shortcutShape else {
            throw LayerError(layer: description, message: "the body gives \(describeShape(bodyShape)) but the "
                             + (shortcut == nil ? "identity shortcut gives the input, " : "shortcut gives ")
                             + "\(describeShape(shortcutShape)); "
                             + (shortcut == nil ? "add shortcut=conv(...) to project it" : "they must match"))
        }
        body.needsInputGradient = needsInputGradient
        shortcut?.needsInputGradient = needsInputGradient
        return bodyShape
    }

    /// Builds one branch; an error inside names the branch and the layer's place in it.
    private func buildBranch(_ branch: Sequential, _ label: String, inputShape: [Int], name: String,
                             rng: inout RandomGenerator) throws -> [Int] {
        do {
            return try branch.build(inputShape: inputShape, name: "\(name).\(label)", rng: &rng)
        } catch let error as LayerError {
            let place = error.index.map { "\(label) layer \($0) " } ?? "\(label) "
            throw LayerError(layer: description, message: "\(place)\(error.layer): \(error.message)")
        }
    }

    public var parameters: [Parameter] { body.parameters + (shortcut?.parameters ?? []) }
    public var buffers: [Parameter] { body.buffers + (shortcut?.buffers ?? []) }

    public func reseed(_ seed: UInt64) {
        body.reseed(mixSeed(seed, stream: 0))
        shortcut?.reseed(mixSeed(seed, stream: 1))
    }

    public func reseed(_ seed: UInt64, firstSample: Int) {
        body.reseed(mixSeed(seed, stream: 0), firstSample: firstSample)
        shortcut?.reseed(mixSeed(seed, stream: 1), firstSample: firstSample)
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let a = body.forward(input, training: training)
        let b = shortcut?.forward(input, training: training) ?? input
        precondition(a.shape == b.shape, "\(description): branch outputs \(a.shape) and \(b.shape) differ")
        output.ensureShape(a.shape)
        Residual.add(a, b, into: &output)
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        precondition(outputGradient.shape == output.shape, "\(description): gradient \(outputGradient.shape) should be \(output.shape)")
        let a = body.backward(outputGradient)
        let b = shortcut?.backward(outputGradient) ?? outputGradient
        guard needsInputGradient else { return emptyGradient }
        inputGradient.ensureShape(a.shape)
        Residual.add(a, b, into: &inputGradient)
        return inputGradient
    }

    /// out = a + b, element by element (one vectorized loop, no allocation).
    private static func add(_ a: Tensor, _ b: Tensor, into out: inout Tensor) {
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                out.withUnsafeMutableBufferPointer { op in
                    for i in 0..<op.count { op[i] = ap[i] + bp[i] }
                }
            }
        }
    }
}

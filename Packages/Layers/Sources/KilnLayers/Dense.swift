import KilnInit
import KilnTensor

/// `dense(units, init=he-normal, bias_init=zeros, bias=true, inputs=)` [alias `linear`]: a
/// fully connected layer, y = x·W + b.
///
/// - `W` is `[inputs, units]` (the `x·W` convention of KilnInit's `Fan.dense`; PyTorch's
///   `Linear.weight` is its transpose), `b` is `[units]`.
/// - The input size is inferred at build time. Per-example inputs of any rank are
///   flattened (a dense layer on CHW `[1, 28, 28]` sees 784 features, as after `flatten`),
///   which costs nothing: tensors are contiguous row-major.
/// - `inputs=` optionally states the expected input size; build fails when the data
///   disagree.
/// - Default init: He normal (`N(0, 2/n_in)`, the course notes' MSRA init for ReLU nets
///   and what the PyTorch reference scripts in `shared/peers` use), biases zero.
///   PyTorch's own default, `fan-in-uniform` for both, is one argument away.
/// - `bias=false` leaves out b (y = x·W): before BatchNorm a bias does nothing, since the
///   normalization subtracts the mean it would shift.
///
/// Backward, for a batch X `[n, in]` and upstream gradient G `[n, units]`:
/// dW = Xᵀ·G, db = Σ_rows G, dX = G·Wᵀ (skipped when ``needsInputGradient`` is false).
/// All three products are single `cblas_sgemm` calls into kept buffers.
public final class Dense: RegularizedLayer {
    /// The number of outputs per example (spec `units`).
    public let units: Int
    /// How W is initialized (spec `init`, default he-normal).
    public let initializer: any Initializer
    /// How b is initialized (spec `bias_init`, default zeros).
    public let biasInitializer: any Initializer
    /// The input size stated in the spec (`inputs=`), if any.
    public let declaredInputs: Int?
    /// `regularizer=SPEC`: this layer's own regularizer (see ``RegularizedLayer``).
    public let regularizerSpec: String?
    /// `[inputs, units]`, created by `build`.
    public private(set) var weight: Parameter?
    /// `[units]`, created by `build`.
    public private(set) var bias: Parameter?
    /// Whether the layer has a bias (`bias=false` in the spec leaves it out).
    public let useBias: Bool
    public var needsInputGradient = true

    private var inputs = 0
    private var savedInput: Tensor?
    private var savedInputShape: [Int] = []
    private var output = emptyGradient
    private var inputGradient = emptyGradient

    /// The initializers as specs, printed by `description` (`he-normal`, `zeros`).
    private let initializerSpec: String
    private let biasInitializerSpec: String

    /// A dense layer with He-normal weights and zero biases (the defaults).
    public convenience init(units: Int, inputs: Int? = nil) {
        self.init(units: units, initializer: HeNormal(), initializerSpec: "he-normal",
                  biasInitializer: Zeros(), biasInitializerSpec: "zeros", inputs: inputs)
    }

    /// A dense layer with the given initializers (printed by their own descriptions).
    public convenience init(units: Int, initializer: any Initializer, biasInitializer: any Initializer = Zeros(), inputs: Int? = nil) {
        self.init(units: units, initializer: initializer, initializerSpec: initializer.description,
                  biasInitializer: biasInitializer, biasInitializerSpec: biasInitializer.description, inputs: inputs)
    }

    init(units: Int, initializer: any Initializer, initializerSpec: String,
         biasInitializer: any Initializer, biasInitializerSpec: String, inputs: Int?, regularizerSpec: String? = nil, useBias: Bool = true) {
        self.useBias = useBias
        self.regularizerSpec = regularizerSpec
        precondition(units > 0, "dense: units must be positive")
        self.units = units
        self.initializer = initializer
        self.initializerSpec = initializerSpec
        self.biasInitializer = biasInitializer
        self.biasInitializerSpec = biasInitializerSpec
        self.declaredInputs = inputs
    }

    public var description: String {
        var text = "dense(\(units), init=\(initializerSpec)" + (useBias ? ", bias_init=\(biasInitializerSpec)" : ", bias=false")
        if let declaredInputs { text += ", inputs=\(declaredInputs)" }
        if let regularizerSpec { text += ", regularizer=\(regularizerSpec)" }
        return text + ")"
    }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        let n = inputShape.reduce(1, *)
        guard !inputShape.isEmpty, n > 0 else {
            throw LayerError(layer: description, message: "input shape \(inputShape) has no features")
        }
        if let declaredInputs, declaredInputs != n {
            throw LayerError(layer: description, message: "declared \(declaredInputs) inputs but the input \(describeShape(inputShape)) has \(n) features")
        }
        _ = try LayerLimits.elementCount([n, units], of: "the weight", layer: description)
        inputs = n
        let fan = Fan.dense(inputs: n, outputs: units)
        weight = Parameter(name: "\(name).weight", value: initializer.make(shape: [n, units], fan: fan, rng: &rng))
        if useBias {
            bias = Parameter(name: "\(name).bias", value: biasInitializer.make(shape: [units], fan: fan, rng: &rng), isRegularized: false)
        }
        return [units]
    }

    public var parameters: [Parameter] { [weight, bias].compactMap { $0 } }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        guard let weight else { preconditionFailure("dense: forward before build") }
        let batch = input.shape.first ?? 0
        precondition(input.count == batch * inputs, "\(description): input \(input.shape) does not have \(inputs) features per example")
        let x = input.rank == 2 ? input : input.reshaped([batch, inputs])
        savedInputShape = input.shape
        output.ensureShape([batch, units])
        // Rows start as the bias, then one GEMM accumulates x·W onto them.
        let u = units
        if let bias {
            bias.value.withUnsafeBufferPointer { b in
                output.withUnsafeMutableBufferPointer { out in
                    for r in 0..<batch { (out.baseAddress! + r * u).update(from: b.baseAddress!, count: u) }
                }
            }
        }
        matmul(x, weight.value, alpha: 1, beta: bias == nil ? 0 : 1, into: &output)
        savedInput = x
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard let weight, let x = savedInput else { preconditionFailure("dense: backward before forward") }
        let batch = x.shape[0]
        precondition(outputGradient.shape == [batch, units], "\(description): gradient \(outputGradient.shape) should be [\(batch), \(units)]")
        matmul(x, outputGradient, transposeA: true, alpha: 1, beta: 0, into: &weight.gradient)
        let u = units
        if let bias {
          outputGradient.withUnsafeBufferPointer { g in
            bias.gradient.withUnsafeMutableBufferPointer { db in
                db.update(repeating: 0)
                for r in 0..<batch {
                    let row = g.baseAddress! + r * u
                    for j in 0..<u { db[j] += row[j] }
                }
            }
          }
        }
        savedInput = nil  // releases the previous layer's output buffer for reuse
        guard needsInputGradient else { return emptyGradient }
        inputGradient.ensureShape([batch, inputs])
        matmul(outputGradient, weight.value, transposeB: true, alpha: 1, beta: 0, into: &inputGradient)
        return savedInputShape.count == 2 ? inputGradient : inputGradient.reshaped(savedInputShape)
    }
}

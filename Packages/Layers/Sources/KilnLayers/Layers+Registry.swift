import KilnInit
import KilnRegistry

/// Every built-in layer by spec name, unbuilt (``Sequential/build(spec:inputShape:rng:)``
/// builds a pipeline of them); register your own layer type here to use it in model specs.
///
/// | spec (aliases) | layer |
/// | --- | --- |
/// | `dense(units, init=he-normal, bias_init=zeros, bias=true, inputs=, regularizer=)` (`linear`) | ``Dense`` |
/// | `conv(filters, kernel, stride=1, padding=0, init=he-normal, bias_init=zeros, bias=true, regularizer=)` (`conv2d`) | ``Conv2D`` |
/// | `residual(BODY, shortcut=SHORTCUT)` (BODY and SHORTCUT are pipelines, `a\|b\|c`) | ``Residual`` |
/// | `global-avgpool` (`global-avg-pool`, `gap`) | ``GlobalAvgPool`` |
/// | `maxpool(size, stride=size)` (`max-pool`, `maxpool2d`) | ``MaxPool2D`` |
/// | `avgpool(size, stride=size)` (`avg-pool`, `avgpool2d`) | ``AvgPool2D`` |
/// | `flatten` | ``Flatten`` |
/// | `sigmoid`, `tanh`, `relu`, `softmax` | activations |
/// | `leaky-relu(slope=0.01)` (`leakyrelu`, `leaky_relu`) | ``LeakyReLU`` |
/// | `elu(alpha=1)` | ``ELU`` |
/// | `dropout(rate)` | ``Dropout`` (rate in [0, 1)) |
/// | `batchnorm(momentum=0.1, eps=1e-5)` (`batch-norm`, `bn`) | ``BatchNorm`` |
/// | `layernorm(eps=1e-5)` (`layer-norm`) | ``LayerNorm`` |
///
/// `init` and `bias_init` take any spec of KilnInit's `initializers`
/// (`init=xavier-uniform`, `init=he-normal(mode=fan-out)`).
public let layers: Registry<any Layer> = {
    let registry = Registry<any Layer>(kind: "layer")
    registerBuiltInLayers(in: registry)
    return registry
}()

/// Registers the built-in layers in `registry` (``layers`` is made this way).
public func registerBuiltInLayers(in registry: Registry<any Layer>) {
    registry.register("dense", aliases: ["linear"]) { spec in
        let units = try spec.int("units", at: 0, in: 1...)
        let (initializer, initSpec) = try spec.initializer("init", default: "he-normal")
        let (biasInitializer, biasSpec) = try spec.initializer("bias_init", default: "zeros")
        let inputs: Int? = spec.has("inputs") ? try spec.int("inputs", in: 1...) : nil
        return Dense(units: units, initializer: initializer, initializerSpec: initSpec,
                     biasInitializer: biasInitializer, biasInitializerSpec: biasSpec, inputs: inputs,
                     regularizerSpec: try spec.regularizer(), useBias: try spec.bool("bias", default: true))
    }
    registry.register("conv", aliases: ["conv2d"]) { spec in
        let filters = try spec.int("filters", at: 0, in: 1...)
        let kernel = try spec.int("kernel", at: 1, in: 1...LayerLimits.maximumExtent)
        let stride = try spec.int("stride", at: 2, default: 1, in: 1...LayerLimits.maximumExtent)
        let padding = try spec.int("padding", at: 3, default: 0, in: 0...LayerLimits.maximumExtent)
        let (initializer, initSpec) = try spec.initializer("init", default: "he-normal")
        let (biasInitializer, biasSpec) = try spec.initializer("bias_init", default: "zeros")
        return Conv2D(filters: filters, kernel: kernel, stride: stride, padding: padding,
                      initializer: initializer, initializerSpec: initSpec,
                      biasInitializer: biasInitializer, biasInitializerSpec: biasSpec,
                      regularizerSpec: try spec.regularizer(), useBias: try spec.bool("bias", default: true))
    }
    registry.register("maxpool", aliases: ["max-pool", "maxpool2d"]) { spec in
        let size = try spec.int("size", at: 0, in: 1...LayerLimits.maximumExtent)
        return MaxPool2D(size: size, stride: try spec.int("stride", at: 1, default: size, in: 1...LayerLimits.maximumExtent))
    }
    registry.register("avgpool", aliases: ["avg-pool", "avgpool2d"]) { spec in
        let size = try spec.int("size", at: 0, in: 1...LayerLimits.maximumExtent)
        return AvgPool2D(size: size, stride: try spec.int("stride", at: 1, default: size, in: 1...LayerLimits.maximumExtent))
    }
    registry.register("flatten") { _ in Flatten() }
    registry.register("global-avgpool", aliases: ["global-avg-pool", "gap"]) { _ in GlobalAvgPool() }
    // The branches are made through the registry the block is made through, so a user's
    // own layers work inside blocks too (weak: the registry owns this factory).
    registry.register("residual") { [weak registry] spec in
        let registry = registry ?? layers
        guard let body = try spec.pipeline("body", at: 0) else {
            throw SpecArgumentError(spec: spec, key: "body", message: "is required: residual(conv(16, 3, padding=1)|batchnorm|relu|...)")
        }
        let shortcut = try spec.pipeline("shortcut")
        return Residual(body: try body.map { try registry.make($0) },
                        shortcut: try shortcut.map { try $0.map { try registry.make($0) } })
    }
    registry.register("sigmoid") { _ in Sigmoid() }
    registry.register("tanh") { _ in Tanh() }
    registry.register("relu") { _ in ReLU() }
    registry.register("softmax") { _ in Softmax() }
    registry.register("leaky-relu", aliases: ["leakyrelu", "leaky_relu"]) { spec in
        LeakyReLU(slope: try spec.float("slope", at: 0, default: 0.01, in: 0...Float.greatestFiniteMagnitude))
    }
    registry.register("elu") { spec in
        let alpha = try spec.float("alpha", at: 0, default: 1, in: 0...Float.greatestFiniteMagnitude)
        guard alpha > 0 else { throw SpecArgumentError(spec: spec, key: "alpha", message: "must be > 0, got 0") }
        return ELU(alpha: alpha)
    }
    registry.register("dropout") { spec in
        Dropout(rate: try spec.float("rate", at: 0, in: Float(0)..<1))
    }
    registry.register("batchnorm", aliases: ["batch-norm", "bn"]) { spec in
        let momentum = try spec.float("momentum", default: 0.1, in: Float(0)...1)
        let eps = try spec.float("eps", default: 1e-5, in: Float.leastNormalMagnitude...1)
        return BatchNorm(momentum: momentum, epsilon: eps)
    }
    registry.register("layernorm", aliases: ["layer-norm"]) { spec in
        LayerNorm(epsilon: try spec.float("eps", at: 0, default: 1e-5, in: Float.leastNormalMagnitude...1))
    }
}

extension Spec {
    /// `regularizer=SPEC` (a word like `l2` or a call like `l2(1e-4)`), kept as its canonical
    /// text for the trainer to make through KilnRegularizers' registry.
    func regularizer() throws -> String? {
        guard has("regularizer") else { return nil }
        let text = try word("regularizer")
        do { return try Spec(parsing: text).description } catch {
            throw SpecArgumentError(spec: self, key: "regularizer", message: "\(error)")
        }
    }

    /// An initializer argument: its spec text (a word like `he-normal` or a call like
    /// `he-normal(mode=fan-out)`) made through KilnInit's registry; errors name this key.
    func initializer(_ key: String, default defaultSpec: String) throws -> (any Initializer, String) {
        let text = try word(key, default: defaultSpec)
        do {
            return (try initializers.make(text), text)
        } catch {
            throw SpecArgumentError(spec: self, key: key, message: "\(error)")
        }
    }
}

import KilnInit
import KilnTensor

/// `conv(filters, kernel, stride=1, padding=0, init=he-normal, bias_init=zeros)`
/// [alias `conv2d`]: a 2-D convolution (cross-correlation, as in every framework) over
/// NCHW batches of CHW examples.
///
/// - Kernel `[filters, channels, kernel, kernel]` (PyTorch's layout), bias `[filters]`.
/// - Output size per axis: ⌊(in + 2·padding − kernel) / stride⌋ + 1 (PyTorch's rule);
///   zero padding. `padding = (kernel − 1)/2` with stride 1 keeps the size ("same").
/// - Default init: He normal with fan-in = kernel²·channels, biases zero (see ``Dense``).
///
/// Method (im2col + one GEMM per batch): the batch's receptive fields are unrolled into
/// a kept column buffer `cols` of shape `[c·k·k, n·oh·ow]`, then
/// `Y' = W·cols` (`[f, n·oh·ow]`, one `cblas_sgemm`) is scattered to NCHW with the bias.
/// Backward: `G'` = the upstream gradient gathered to `[f, n·oh·ow]`, `dW = G'·colsᵀ`,
/// `db = Σ G'`, and, unless ``needsInputGradient`` is false, `dcols = Wᵀ·G'` folded back
/// onto the input (col2im, overlapping windows add up).
public final class Conv2D: Layer {
    public let filters: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let initializer: any Initializer
    public let biasInitializer: any Initializer
    public private(set) var weight: Parameter?
    public private(set) var bias: Parameter?
    public var needsInputGradient = true

    private let initializerSpec: String
    private let biasInitializerSpec: String
    private var channels = 0, height = 0, width = 0
    private var outHeight = 0, outWidth = 0
    private var batch = 0
    private var cols = emptyGradient        // [c·k·k, n·oh·ow]
    private var scratch = emptyGradient     // [f, n·oh·ow]: W·cols, then the gathered gradient
    private var columnGradient = emptyGradient
    private var output = emptyGradient
    private var inputGradient = emptyGradient

    /// A convolution with He-normal kernels and zero biases.
    public convenience init(filters: Int, kernel: Int, stride: Int = 1, padding: Int = 0) {
        self.init(filters: filters, kernel: kernel, stride: stride, padding: padding,
                  initializer: HeNormal(), initializerSpec: "he-normal", biasInitializer: Zeros(), biasInitializerSpec: "zeros")
    }

    /// A convolution with the given initializers.
    public convenience init(filters: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                            initializer: any Initializer, biasInitializer: any Initializer = Zeros()) {
        self.init(filters: filters, kernel: kernel, stride: stride, padding: padding,
                  initializer: initializer, initializerSpec: initializer.description,
                  biasInitializer: biasInitializer, biasInitializerSpec: biasInitializer.description)
    }

    init(filters: Int, kernel: Int, stride: Int, padding: Int, initializer: any Initializer, initializerSpec: String,
         biasInitializer: any Initializer, biasInitializerSpec: String) {
        precondition(filters > 0 && kernel > 0 && stride > 0 && padding >= 0, "conv: invalid geometry")
        self.filters = filters
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.initializer = initializer
        self.initializerSpec = initializerSpec
        self.biasInitializer = biasInitializer
        self.biasInitializerSpec = biasInitializerSpec
    }

    public var description: String {
        "conv(\(filters), kernel=\(kernel), stride=\(stride), padding=\(padding), init=\(initializerSpec), bias_init=\(biasInitializerSpec))"
    }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw LayerError(layer: description, message: "expects a CxHxW input, got \(describeShape(inputShape)) (image data must keep its channel and spatial axes, e.g. 1x28x28)")
        }
        let (c, h, w) = (inputShape[0], inputShape[1], inputShape[2])
        guard h + 2 * padding >= kernel, w + 2 * padding >= kernel else {
            throw LayerError(layer: description, message: "input \(describeShape(inputShape)) (CxHxW) is smaller than the \(kernel)x\(kernel) kernel with padding \(padding)")
        }
        (channels, height, width) = (c, h, w)
        outHeight = (h + 2 * padding - kernel) / stride + 1
        outWidth = (w + 2 * padding - kernel) / stride + 1
        let fan = Fan.conv(kernelHeight: kernel, kernelWidth: kernel, inputChannels: c, outputChannels: filters)
        weight = Parameter(name: "\(name).weight", value: initializer.make(shape: [filters, c, kernel, kernel], fan: fan, rng: &rng))
        bias = Parameter(name: "\(name).bias", value: biasInitializer.make(shape: [filters], fan: fan, rng: &rng), isRegularized: false)
        return [filters, outHeight, outWidth]
    }

    public var parameters: [Parameter] { [weight, bias].compactMap { $0 } }

    private var patchSize: Int { channels * kernel * kernel }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        guard let weight, let bias else { preconditionFailure("conv: forward before build") }
        precondition(input.rank == 4 && Array(input.shape.dropFirst()) == [channels, height, width],
                     "\(description): input \(input.shape) should be [batch, \(channels), \(height), \(width)]")
        batch = input.shape[0]
        let positions = outHeight * outWidth
        let columns = batch * positions
        cols.ensureShape([patchSize, columns])
        scratch.ensureShape([filters, columns])
        output.ensureShape([batch, filters, outHeight, outWidth])
        im2col(input)
        matmul(weight.value.reshaped([filters, patchSize]), cols, alpha: 1, beta: 0, into: &scratch)
        // Scatter [f, n·p] to [n, f, p], adding the bias.
        let (f, n) = (filters, batch)
        scratch.withUnsafeBufferPointer { s in
            bias.value.withUnsafeBufferPointer { b in
                output.withUnsafeMutableBufferPointer { out in
                    for j in 0..<f {
                        let bj = b[j]
                        for i in 0..<n {
                            let src = s.baseAddress! + j * columns + i * positions
                            let dst = out.baseAddress! + (i * f + j) * positions
                            for q in 0..<positions { dst[q] = src[q] + bj }
                        }
                    }
                }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard let weight, let bias else { preconditionFailure("conv: backward before build") }
        precondition(outputGradient.shape == [batch, filters, outHeight, outWidth],
                     "\(description): gradient \(outputGradient.shape) should be \([batch, filters, outHeight, outWidth])")
        let positions = outHeight * outWidth
        let columns = batch * positions
        let (f, n) = (filters, batch)
        // Gather [n, f, p] to [f, n·p] and sum the bias gradient on the way.
        outputGradient.withUnsafeBufferPointer { g in
            bias.gradient.withUnsafeMutableBufferPointer { db in
                scratch.withUnsafeMutableBufferPointer { s in
                    for j in 0..<f {
                        var sum: Float = 0
                        for i in 0..<n {
                            let src = g.baseAddress! + (i * f + j) * positions
                            (s.baseAddress! + j * columns + i * positions).update(from: src, count: positions)
                            sum += vectorSum(src, positions)
                        }
                        db[j] = sum
                    }
                }
            }
        }
        let patch = patchSize
        withReshaped(&weight.gradient, [filters, patch]) { dw in
            matmul(scratch, cols, transposeB: true, alpha: 1, beta: 0, into: &dw)
        }
        guard needsInputGradient else { return emptyGradient }
        columnGradient.ensureShape([patch, columns])
        matmul(weight.value.reshaped([filters, patch]), scratch, transposeA: true, alpha: 1, beta: 0, into: &columnGradient)
        inputGradient.ensureShape([batch, channels, height, width])
        col2im()
        return inputGradient
    }

    /// The range of output columns `ow` whose input column `ow·stride − padding + kw` lies
    /// inside the image (the others read zero padding).
    @inline(__always)
    private func validRange(_ k: Int, extent: Int, outExtent: Int) -> (Int, Int) {
        let shift = padding - k
        let low = shift <= 0 ? 0 : (shift + stride - 1) / stride
        let last = extent - 1 + shift
        let high = last < 0 ? 0 : min(outExtent, last / stride + 1)
        return (min(low, outExtent), max(high, min(low, outExtent)))
    }

    /// Unrolls the receptive fields into `cols`: row (c, kh, kw), column (n, oh, ow).
    private func im2col(_ input: Tensor) {
        let (c, h, w, k, s, p) = (channels, height, width, kernel, stride, padding)
        let (oh, ow) = (outHeight, outWidth)
        let n = batch
        let positions = oh * ow
        let columns = n * positions
        input.withUnsafeBufferPointer { xp in
            cols.withUnsafeMutableBufferPointer { cp in
                let x = xp.baseAddress!
                for ci in 0..<c {
                    for kh in 0..<k {
                        for kw in 0..<k {
                            let row = cp.baseAddress! + ((ci * k + kh) * k + kw) * columns
                            let (lo, hi) = validRange(kw, extent: w, outExtent: ow)
                            for i in 0..<n {
                                let plane = x + (i * c + ci) * h * w
                                for y in 0..<oh {
                                    let dst = row + i * positions + y * ow
                                    let iy = y * s - p + kh
                                    if iy < 0 || iy >= h {
                                        dst.update(repeating: 0, count: ow)
                                        continue
                                    }
                                    let src = plane + iy * w - p + kw
                                    if lo > 0 { dst.update(repeating: 0, count: lo) }
                                    if s == 1 {
                                        if hi > lo { (dst + lo).update(from: src + lo, count: hi - lo) }
                                    } else {
                                        for xo in lo..<hi { dst[xo] = src[xo * s] }
                                    }
                                    if hi < ow { (dst + hi).update(repeating: 0, count: ow - hi) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Folds `columnGradient` back onto `inputGradient` (the adjoint of `im2col`).
    private func col2im() {
        let (c, h, w, k, s, p) = (channels, height, width, kernel, stride, padding)
        let (oh, ow) = (outHeight, outWidth)
        let n = batch
        let positions = oh * ow
        let columns = n * positions
        columnGradient.withUnsafeBufferPointer { cp in
            inputGradient.withUnsafeMutableBufferPointer { dxp in
                dxp.update(repeating: 0)
                let dx = dxp.baseAddress!
                for ci in 0..<c {
                    for kh in 0..<k {
                        for kw in 0..<k {
                            let row = cp.baseAddress! + ((ci * k + kh) * k + kw) * columns
                            let (lo, hi) = validRange(kw, extent: w, outExtent: ow)
                            for i in 0..<n {
                                let plane = dx + (i * c + ci) * h * w
                                for y in 0..<oh {
                                    let iy = y * s - p + kh
                                    if iy < 0 || iy >= h { continue }
                                    let src = row + i * positions + y * ow
                                    let dst = plane + iy * w - p + kw
                                    if s == 1 {
                                        for xo in lo..<hi { dst[xo] += src[xo] }
                                    } else {
                                        for xo in lo..<hi { dst[xo * s] += src[xo] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

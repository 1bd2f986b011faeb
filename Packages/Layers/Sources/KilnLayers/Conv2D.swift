import KilnInit
import KilnTensor

/// `conv(filters, kernel, stride=1, padding=0, init=he-normal, bias_init=zeros, bias=true)`
/// [alias `conv2d`]: a 2-D convolution (cross-correlation, as in every framework) over
/// NCHW batches of CHW examples.
///
/// - Kernel `[filters, channels, kernel, kernel]` (PyTorch's layout), bias `[filters]`.
/// - Output size per axis: ⌊(in + 2·padding − kernel) / stride⌋ + 1 (PyTorch's rule);
///   zero padding. `padding = (kernel − 1)/2` with stride 1 keeps the size ("same").
/// - Default init: He normal with fan-in = kernel²·channels, biases zero (see ``Dense``).
/// - `bias=false` leaves out the bias (what a convolution before BatchNorm wants).
///
/// Method (im2col + sgemm): the receptive fields of a group of examples are unrolled into
/// a kept column buffer `cols` of shape `[c·k·k, m·oh·ow]`; each example's output `[f, oh·ow]`
/// starts as the bias and gets `W·cols_i` added by one `cblas_sgemm` that reads the
/// example's block of `cols` in place (leading dimension m·oh·ow) and writes straight into
/// the NCHW output, so no `[f, m·oh·ow]` temporary is zero-filled, written and scattered.
/// Backward, per example i with upstream gradient `G_i` `[f, oh·ow]` read in place:
/// `dW += G_i·cols_iᵀ` (examples added in order), `db = Σ G`, and, unless
/// ``needsInputGradient`` is false, `dcols_i = Wᵀ·G_i` into the example's block of a kept
/// column-gradient buffer, folded back onto the input (col2im, overlapping windows add up).
///
/// The group size m is chosen so that `cols` holds about 1 MB (all of a small batch, a few
/// examples of a wide layer): one GEMM per group keeps the columns in cache instead of
/// streaming a 29 MB matrix through memory (128 examples of a 3x3x32 conv on 14x14), and
/// backward rebuilds each group's columns from the kept input instead of storing them
/// all. The GEMMs stay large (64 x 288 x 196 per example for that layer).
///
/// 3×3 kernels with stride 1 and padding 1 on inputs of at least
/// ``winogradMinimumChannels`` channels take Winograd's F(2×2, 3×3) instead (Winograd.swift):
/// 16 GEMMs on transformed tiles, 2.25× fewer multiplications in each of the three passes.
public final class Conv2D: RegularizedLayer {
    /// The number of output channels (spec `filters`).
    public let filters: Int
    /// The kernel's side: kernels are `kernel` × `kernel` (spec `kernel`).
    public let kernel: Int
    /// The distance between kernel positions (spec `stride`, default 1).
    public let stride: Int
    /// Zeros added on every side of the input (spec `padding`, default 0).
    public let padding: Int
    /// How the kernel is initialized (spec `init`, default he-normal).
    public let initializer: any Initializer
    /// `regularizer=SPEC`: this layer's own regularizer (see ``RegularizedLayer``).
    public let regularizerSpec: String?
    /// How the bias is initialized (spec `bias_init`, default zeros).
    public let biasInitializer: any Initializer
    /// The kernel, `[filters, channels, kernel, kernel]`; nil before `build`.
    public private(set) var weight: Parameter?
    /// The bias, `[filters]` (not regularized); nil before `build`.
    public private(set) var bias: Parameter?
    /// Whether the layer has a bias (`bias=false` leaves it out: before BatchNorm it does nothing).
    public let useBias: Bool
    public var needsInputGradient = true

    private let initializerSpec: String
    private let biasInitializerSpec: String
    private var channels = 0, height = 0, width = 0
    private var outHeight = 0, outWidth = 0
    private var batch = 0
    private var cols = emptyGradient        // [c·k·k, m·oh·ow] for a group of m examples
    private var columnGradient = emptyGradient
    private var savedInput: Tensor?
    private var currentGroup = 0
    private var spareBuffers: [Int: (Tensor, Tensor)] = [:]
    private var output = emptyGradient
    private var inputGradient = emptyGradient
    /// Zeros that rows start from when the layer has no bias.
    private lazy var zeroBias = Tensor.zeros([filters])
    /// The Winograd path for this layer's geometry; nil: im2col (set by `build`; tests turn
    /// it off to compare the two).
    var winograd: Winograd3x3?
    /// The `maxpool` that runs right after this layer (set by ``Sequential``): forward pools
    /// each example as soon as its output is complete, while it is in cache, and the pool's
    /// own forward then returns that result (``MaxPool2D/forward(_:training:)``).
    var nextPool: MaxPool2D?

    /// The fewest input channels for which a 3×3, stride-1, padding-1 convolution takes the
    /// Winograd path. Below it (a grey or RGB first layer) the im2col GEMM is small either way
    /// and the transforms would cost more than they save.
    public static let winogradMinimumChannels = 4

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
         biasInitializer: any Initializer, biasInitializerSpec: String, regularizerSpec: String? = nil, useBias: Bool = true) {
        self.useBias = useBias
        precondition(filters > 0 && kernel > 0 && stride > 0 && padding >= 0, "conv: invalid geometry")
        self.regularizerSpec = regularizerSpec
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
        "conv(\(filters), kernel=\(kernel), stride=\(stride), padding=\(padding), init=\(initializerSpec)"
            + (useBias ? ", bias_init=\(biasInitializerSpec)" : ", bias=false")
            + (regularizerSpec.map { ", regularizer=\($0)" } ?? "") + ")"
    }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw LayerError(layer: description, message: "expects a CxHxW input, got \(describeShape(inputShape)) (image data must keep its channel and spatial axes, e.g. 1x28x28)")
        }
        let (c, h, w) = (inputShape[0], inputShape[1], inputShape[2])
        guard h + 2 * padding >= kernel, w + 2 * padding >= kernel else {
            throw LayerError(layer: description, message: "input \(describeShape(inputShape)) (CxHxW) is smaller than the \(kernel)x\(kernel) kernel with padding \(padding)")
        }
        _ = try LayerLimits.elementCount([filters, c, kernel, kernel], of: "the weight", layer: description)
        let (oh, ow) = ((h + 2 * padding - kernel) / stride + 1, (w + 2 * padding - kernel) / stride + 1)
        _ = try LayerLimits.elementCount([c * kernel * kernel, oh, ow], of: "one example's im2col columns", layer: description)
        (channels, height, width) = (c, h, w)
        outHeight = (h + 2 * padding - kernel) / stride + 1
        outWidth = (w + 2 * padding - kernel) / stride + 1
        winograd = kernel == 3 && stride == 1 && padding == 1 && c >= Conv2D.winogradMinimumChannels
            ? Winograd3x3(channels: c, filters: filters, height: h, width: w) : nil
        let fan = Fan.conv(kernelHeight: kernel, kernelWidth: kernel, inputChannels: c, outputChannels: filters)
        weight = Parameter(name: "\(name).weight", value: initializer.make(shape: [filters, c, kernel, kernel], fan: fan, rng: &rng))
        if useBias {
            bias = Parameter(name: "\(name).bias", value: biasInitializer.make(shape: [filters], fan: fan, rng: &rng), isRegularized: false)
        }
        return [filters, outHeight, outWidth]
    }

    public var parameters: [Parameter] { [weight, bias].compactMap { $0 } }

    private var patchSize: Int { channels * kernel * kernel }

    /// Examples per GEMM: `cols` of about 256K floats (1 MB), at least one example.
    static let columnBudget = 1 << 18
    private func groupSize(batch: Int) -> Int {
        let perExample = patchSize * outHeight * outWidth
        return max(1, min(batch, Conv2D.columnBudget / max(perExample, 1)))
    }

    /// Sizes the group buffers for `m` examples. A batch has up to two group sizes (the
    /// last group is smaller), so the buffers of the other size wait in `spareBuffers`
    /// (moved, not copied) instead of being reallocated every step.
    private func prepareGroupBuffers(_ m: Int, columnGradient needsColumnGradient: Bool) {
        if m != currentGroup {
            if currentGroup > 0 {
                if spareBuffers.count >= 4 { spareBuffers.removeAll() }
                spareBuffers[currentGroup] = (cols, columnGradient)
            }
            (cols, columnGradient) = spareBuffers.removeValue(forKey: m) ?? (emptyGradient, emptyGradient)
            currentGroup = m
        }
        let columns = m * outHeight * outWidth
        cols.ensureShape([patchSize, columns])
        if needsColumnGradient { columnGradient.ensureShape([patchSize, columns]) }
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        guard let weight else { preconditionFailure("conv: forward before build") }
        let biasValues = bias?.value ?? zeroBias
        precondition(input.rank == 4 && Array(input.shape.dropFirst()) == [channels, height, width],
                     "\(description): input \(input.shape) should be [batch, \(channels), \(height), \(width)]")
        batch = input.shape[0]
        output.ensureShape([batch, filters, outHeight, outWidth])
        let pool = nextPool?.beginPooling(batch: batch, shape: [filters, outHeight, outWidth])
        if let winograd {
            input.withUnsafeBufferPointer { x in
                weight.value.withUnsafeBufferPointer { w in
                    biasValues.withUnsafeBufferPointer { b in
                        output.withUnsafeMutableBufferPointer { y in
                            winograd.forward(x.baseAddress!, batch: batch, weight: w.baseAddress!, bias: b.baseAddress!, into: y.baseAddress!,
                                             keep: training, afterExample: pool.map { pool in { [base = y.baseAddress!] in pool.poolExample($0, of: base) } })
                        }
                    }
                }
            }
            savedInput = input
            pool?.endPooling(output)
            return output
        }
        let group = groupSize(batch: batch)
        let positions = outHeight * outWidth
        let (f, patch) = (filters, patchSize)
        var first = 0
        while first < batch {
            let m = min(group, batch - first)
            prepareGroupBuffers(m, columnGradient: false)
            im2col(input, first: first, count: m)
            let columns = m * positions
            weight.value.withUnsafeBufferPointer { w in
                biasValues.withUnsafeBufferPointer { b in
                    cols.withUnsafeBufferPointer { cp in
                        output.withUnsafeMutableBufferPointer { out in
                            for i in 0..<m {
                                let y = out.baseAddress! + (first + i) * f * positions
                                for j in 0..<f { (y + j * positions).update(repeating: b[j], count: positions) }
                                gemm(m: f, n: positions, k: patch, a: w.baseAddress!, lda: patch,
                                     b: cp.baseAddress! + i * positions, ldb: columns, beta: 1, c: y, ldc: positions)
                                pool?.poolExample(first + i, of: out.baseAddress!)
                            }
                        }
                    }
                }
            }
            first += m
        }
        savedInput = input
        pool?.endPooling(output)
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard let weight, let input = savedInput else { preconditionFailure("conv: backward before forward") }
        precondition(outputGradient.shape == [batch, filters, outHeight, outWidth],
                     "\(description): gradient \(outputGradient.shape) should be \([batch, filters, outHeight, outWidth])")
        let positions = outHeight * outWidth
        let (f, patch) = (filters, patchSize)
        let group = groupSize(batch: batch)
        if needsInputGradient { inputGradient.ensureShape([batch, channels, height, width]) }
        var biasSums = [Float](repeating: 0, count: f)
        outputGradient.withUnsafeBufferPointer { g in
            for i in 0..<batch {
                for j in 0..<f { biasSums[j] += vectorSum(g.baseAddress! + (i * f + j) * positions, positions) }
            }
        }
        if let winograd {
            let needsInput = needsInputGradient
            input.withUnsafeBufferPointer { x in
                outputGradient.withUnsafeBufferPointer { g in
                    weight.value.withUnsafeBufferPointer { w in
                        weight.gradient.withUnsafeMutableBufferPointer { dw in
                            guard needsInput else {
                                winograd.backward(x.baseAddress!, outputGradient: g.baseAddress!, batch: batch, weight: w.baseAddress!,
                                                  weightGradient: dw.baseAddress!, inputGradient: nil)
                                return
                            }
                            inputGradient.withUnsafeMutableBufferPointer { dx in
                                winograd.backward(x.baseAddress!, outputGradient: g.baseAddress!, batch: batch, weight: w.baseAddress!,
                                                  weightGradient: dw.baseAddress!, inputGradient: dx.baseAddress!)
                            }
                        }
                    }
                }
            }
        } else {
            var first = 0
            while first < batch {
                let m = min(group, batch - first)
                let columns = m * positions
                prepareGroupBuffers(m, columnGradient: needsInputGradient)
                im2col(input, first: first, count: m)
                let needsColumns = needsInputGradient
                outputGradient.withUnsafeBufferPointer { g in
                    cols.withUnsafeBufferPointer { cp in
                        weight.value.withUnsafeBufferPointer { w in
                            weight.gradient.withUnsafeMutableBufferPointer { dw in
                                for i in 0..<m {
                                    let gi = g.baseAddress! + (first + i) * f * positions
                                    // dW (f x patch) += G_i (f x p) · cols_iᵀ (p x patch); the first example overwrites.
                                    gemm(transposeB: true, m: f, n: patch, k: positions, a: gi, lda: positions,
                                         b: cp.baseAddress! + i * positions, ldb: columns,
                                         beta: first == 0 && i == 0 ? 0 : 1, c: dw.baseAddress!, ldc: patch)
                                }
                            }
                            guard needsColumns else { return }
                            columnGradient.withUnsafeMutableBufferPointer { dc in
                                for i in 0..<m {
                                    // dcols_i (patch x p) = Wᵀ (patch x f) · G_i (f x p).
                                    gemm(transposeA: true, m: patch, n: positions, k: f, a: w.baseAddress!, lda: patch,
                                         b: g.baseAddress! + (first + i) * f * positions, ldb: positions,
                                         beta: 0, c: dc.baseAddress! + i * positions, ldc: columns)
                                }
                            }
                        }
                    }
                }
                if needsInputGradient { col2im(first: first, count: m) }
                first += m
            }
        }
        bias?.gradient.withUnsafeMutableBufferPointer { db in for j in 0..<f { db[j] = biasSums[j] } }
        savedInput = nil  // releases the previous layer's output buffer for reuse
        return needsInputGradient ? inputGradient : emptyGradient
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

    /// Stride 1 with the output as large as the input ("same" padding, 2·padding = kernel − 1):
    /// then one kernel offset's rows of an example are a contiguous run of the input plane
    /// shifted by (kh − padding, kw − padding), so im2col copies one span per (channel,
    /// offset, example) instead of one short row at a time, and col2im adds one span.
    private var isSameSize: Bool { stride == 1 && outHeight == height && outWidth == width }

    /// The rows `y0 ..< y1` of output rows whose input row lies inside the image, and the
    /// plane index the span for offset (kh, kw) starts at.
    @inline(__always)
    private func sameSizeSpan(kh: Int, kw: Int) -> (y0: Int, y1: Int, start: Int) {
        let (h, w, p) = (height, width, padding)
        let y0 = max(0, p - kh), y1 = min(outHeight, h + p - kh)
        return (y0, y1, (y0 - p + kh) * w + (kw - p))
    }

    /// im2col of one (channel, offset, example) in the same-size case: zero rows that read
    /// padding, one copy of the span (clipped to the plane), then zero the columns that read
    /// padding (`..< lo` and `hi ...`), which are also the span's wrapped and clipped ends.
    @inline(__always)
    private func sameSizeRows(_ dst: UnsafeMutablePointer<Float>, _ plane: UnsafePointer<Float>, kh: Int, kw: Int, lo: Int, hi: Int) {
        let ow = outWidth, positions = outHeight * outWidth, planeSize = height * width
        let (y0, y1, start) = sameSizeSpan(kh: kh, kw: kw)
        guard y1 > y0 else { dst.update(repeating: 0, count: positions); return }
        if y0 > 0 { dst.update(repeating: 0, count: y0 * ow) }
        if y1 < outHeight { (dst + y1 * ow).update(repeating: 0, count: (outHeight - y1) * ow) }
        let count = (y1 - y0) * ow
        let lowClip = max(0, -start), highClip = max(0, start + count - planeSize)
        if count - lowClip - highClip > 0 {
            (dst + y0 * ow + lowClip).update(from: plane + start + lowClip, count: count - lowClip - highClip)
        }
        if lo > 0 || hi < ow {
            for y in y0..<y1 {
                let r = dst + y * ow
                for xo in 0..<lo { r[xo] = 0 }
                for xo in hi..<ow { r[xo] = 0 }
            }
        }
    }

    /// Unrolls the receptive fields of examples `first ..< first + count` into `cols`:
    /// row (c, kh, kw), column (example, oh, ow).
    private func im2col(_ input: Tensor, first: Int, count n: Int) {
        let (c, h, w, k, s, p) = (channels, height, width, kernel, stride, padding)
        let (oh, ow) = (outHeight, outWidth)
        let positions = oh * ow
        let columns = n * positions
        let sameSize = isSameSize
        input.withUnsafeBufferPointer { xp in
            cols.withUnsafeMutableBufferPointer { cp in
                let x = xp.baseAddress! + first * c * h * w
                for ci in 0..<c {
                    for kh in 0..<k {
                        for kw in 0..<k {
                            let row = cp.baseAddress! + ((ci * k + kh) * k + kw) * columns
                            let (lo, hi) = validRange(kw, extent: w, outExtent: ow)
                            for i in 0..<n {
                                let plane = x + (i * c + ci) * h * w
                                if sameSize {
                                    sameSizeRows(row + i * positions, plane, kh: kh, kw: kw, lo: lo, hi: hi)
                                    continue
                                }
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
                                        gatherStrided(dst, src, stride: s, lo: lo, hi: hi, readable: w + p - kw)
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

    /// Folds `columnGradient` back onto examples `first ..< first + count` of
    /// `inputGradient` (the adjoint of `im2col`).
    private func col2im(first: Int, count n: Int) {
        let (c, h, w, k, s, p) = (channels, height, width, kernel, stride, padding)
        let (oh, ow) = (outHeight, outWidth)
        let positions = oh * ow
        let columns = n * positions
        let sameSize = isSameSize
        let planeSize = h * w
        columnGradient.withUnsafeMutableBufferPointer { cp in
            inputGradient.withUnsafeMutableBufferPointer { dxp in
                let dx = dxp.baseAddress! + first * c * h * w
                dx.update(repeating: 0, count: n * c * h * w)
                for ci in 0..<c {
                    for kh in 0..<k {
                        for kw in 0..<k {
                            let row = cp.baseAddress! + ((ci * k + kh) * k + kw) * columns
                            let (lo, hi) = validRange(kw, extent: w, outExtent: ow)
                            for i in 0..<n {
                                let plane = dx + (i * c + ci) * h * w
                                if sameSize {
                                    // Zero the columns that read padding (their gradient belongs to
                                    // no input), then add the rows' span in one pass.
                                    let (y0, y1, start) = sameSizeSpan(kh: kh, kw: kw)
                                    guard y1 > y0 else { continue }
                                    let src = row + i * positions
                                    if lo > 0 || hi < ow {
                                        for y in y0..<y1 {
                                            for xo in 0..<lo { src[y * ow + xo] = 0 }
                                            for xo in hi..<ow { src[y * ow + xo] = 0 }
                                        }
                                    }
                                    let count = (y1 - y0) * ow
                                    let lowClip = max(0, -start), highClip = max(0, start + count - planeSize)
                                    let from = src + y0 * ow + lowClip, to = plane + start + lowClip
                                    for e in 0..<max(0, count - lowClip - highClip) { to[e] += from[e] }
                                    continue
                                }
                                for y in 0..<oh {
                                    let iy = y * s - p + kh
                                    if iy < 0 || iy >= h { continue }
                                    let src = row + i * positions + y * ow
                                    let dst = plane + iy * w - p + kw
                                    if s == 1 {
                                        for xo in lo..<hi { dst[xo] += src[xo] }
                                    } else {
                                        scatterAddStrided(dst, src, stride: s, lo: lo, hi: hi, writable: w + p - kw)
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

/// `dst[xo] = src[xo·stride]` for xo in `lo ..< hi` (one row of a strided im2col). Stride 2
/// moves 8 (then 4) at a time, the even lanes of 16 (8) floats, while those lie among the
/// `readable` floats of the row from `src`.
@inline(__always)
private func gatherStrided(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, stride s: Int, lo: Int, hi: Int, readable: Int) {
    var xo = lo
    if s == 2 {
        while xo &+ 8 <= hi && 2 &* xo &+ 16 <= readable {
            let v = UnsafeRawPointer(src + 2 &* xo).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(dst + xo).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
            xo &+= 8
        }
        if xo &+ 4 <= hi && 2 &* xo &+ 8 <= readable {
            let v = UnsafeRawPointer(src + 2 &* xo).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(dst + xo).storeBytes(of: v.evenHalf, as: SIMD4<Float>.self)
            xo &+= 4
        }
    }
    while xo < hi { dst[xo] = src[xo &* s]; xo &+= 1 }
}

/// `dst[xo·stride] += src[xo]` for xo in `lo ..< hi` (one row of a strided col2im), the
/// adjoint of ``gatherStrided(_:_:stride:lo:hi:readable:)``: stride 2 adds 8 (then 4) at a
/// time into the even lanes of 16 (8) floats (the odd lanes add zero) while they lie among
/// the `writable` floats of the row from `dst`.
@inline(__always)
private func scatterAddStrided(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, stride s: Int, lo: Int, hi: Int, writable: Int) {
    var xo = lo
    if s == 2 {
        while xo &+ 8 <= hi && 2 &* xo &+ 16 <= writable {
            let at = UnsafeMutableRawPointer(dst + 2 &* xo)
            let g = UnsafeRawPointer(src + xo).loadUnaligned(as: SIMD8<Float>.self)
            var spread = SIMD16<Float>()
            spread.evenHalf = g
            at.storeBytes(of: at.loadUnaligned(as: SIMD16<Float>.self) + spread, as: SIMD16<Float>.self)
            xo &+= 8
        }
        if xo &+ 4 <= hi && 2 &* xo &+ 8 <= writable {
            let at = UnsafeMutableRawPointer(dst + 2 &* xo)
            var spread = SIMD8<Float>()
            spread.evenHalf = UnsafeRawPointer(src + xo).loadUnaligned(as: SIMD4<Float>.self)
            at.storeBytes(of: at.loadUnaligned(as: SIMD8<Float>.self) + spread, as: SIMD8<Float>.self)
            xo &+= 4
        }
    }
    while xo < hi { dst[xo &* s] += src[xo]; xo &+= 1 }
}

import KilnTensor

/// `maxpool(size, stride=size)` [aliases `max-pool`, `maxpool2d`]: the maximum of each
/// `size x size` window per channel (no padding; output ⌊(in − size)/stride⌋ + 1).
///
/// Backward routes each output gradient to the input element that was the maximum
/// (the first one in row-major order on ties; a NaN wins, and a later NaN over an earlier
/// one, as in PyTorch); overlapping windows (stride < size) add up.
///
/// The common `maxpool(2)` (2x2 windows, stride 2) has its own vector kernels: forward
/// takes the maximum of each row's pair, then of the two rows (the element the row-major
/// scan picks, ties and NaNs included) and keeps the winner's corner of the window (0-3);
/// backward writes every input gradient element once (the output gradient at the corner,
/// 0 at the other three), with no zero fill and no scatter.
public final class MaxPool2D: Layer {
    /// The window's side in pixels.
    public let size: Int
    /// The distance between windows (default: `size`, windows that do not overlap).
    public let stride: Int
    public var needsInputGradient = true

    private var geometry: PoolGeometry
    private var batch = 0
    private var output = emptyGradient
    private var inputGradient = emptyGradient
    /// Any other pool: for every output element, the flat index of its maximum within the
    /// batch input.
    private var argmax: [Int32] = []
    /// The 2x2/2 pool: for every output element, its maximum's place in the window
    /// (0, 1 on the top row, 2, 3 on the bottom one), as a Float so
    /// that the kernels stay in float vectors.
    private var corners: [Float] = []

    /// A max pool of `size` × `size` windows every `stride` pixels (default `size`).
    public init(size: Int, stride: Int? = nil) {
        precondition(size > 0 && (stride ?? 1) > 0, "maxpool: size and stride must be positive")
        self.size = size
        self.stride = stride ?? size
        geometry = PoolGeometry(size: size, stride: stride ?? size)
    }

    public var description: String { "maxpool(\(size), stride=\(stride))" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        try geometry.build(inputShape: inputShape, layer: description)
    }

    private var isPairPool: Bool { size == 2 && stride == 2 }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let g = geometry
        precondition(input.rank == 4 && Array(input.shape.dropFirst()) == [g.channels, g.height, g.width],
                     "\(description): input \(input.shape) should be [batch, \(g.channels), \(g.height), \(g.width)]")
        // Pooled already, example by example, by the convolution that made this very tensor.
        if let source = pooledSource, source == input.withUnsafeBufferPointer({ UnsafeRawPointer($0.baseAddress) }),
           input.shape[0] == batch {
            pooledSource = nil
            return output
        }
        pooledSource = nil
        _ = beginPooling(batch: input.shape[0], shape: Array(input.shape.dropFirst()))
        input.withUnsafeBufferPointer { xp in poolPlanes(xp.baseAddress!, 0..<(batch * g.channels)) }
        return output
    }

    /// The input whose pooling ``endPooling(_:)`` recorded (its storage), or nil.
    private var pooledSource: UnsafeRawPointer?

    /// Sizes the output and the argmax or corners for a batch of `batch` inputs of `shape`
    /// (C, H, W) and returns self, for ``poolExample(_:of:)`` calls (by ``Conv2D``, which
    /// pools each example of its output as soon as it is complete).
    func beginPooling(batch: Int, shape: [Int]) -> MaxPool2D {
        let g = geometry
        precondition(shape == [g.channels, g.height, g.width], "\(description): input \(shape) should be [\(g.channels), \(g.height), \(g.width)]")
        precondition(batch * g.channels * g.height * g.width <= Int(Int32.max), "maxpool: batch too large")
        self.batch = batch
        pooledSource = nil
        output.ensureShape([batch, g.channels, g.outHeight, g.outWidth])
        let outCount = output.count
        if isPairPool {
            if corners.count != outCount { corners = [Float](repeating: 0, count: outCount) }
        } else if argmax.count != outCount {
            argmax = [Int32](repeating: 0, count: outCount)
        }
        return self
    }

    /// Pools example `i` of the batch at `x` (NCHW, the shape given to ``beginPooling(batch:shape:)``).
    func poolExample(_ i: Int, of x: UnsafePointer<Float>) {
        poolPlanes(x, (i * geometry.channels)..<((i + 1) * geometry.channels))
    }

    /// Records that every example of `input` is pooled: ``forward(_:training:)`` of this
    /// same tensor returns the result without pooling again.
    func endPooling(_ input: Tensor) {
        pooledSource = input.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    /// Pools the planes (channels of examples) in `planes` of the batch at `x`.
    private func poolPlanes(_ x: UnsafePointer<Float>, _ planes: Range<Int>) {
        output.withUnsafeMutableBufferPointer { out in
            if isPairPool {
                corners.withUnsafeMutableBufferPointer { place in
                    pairPoolForward(x, planes: planes, out: out.baseAddress!, place: place.baseAddress!)
                }
            } else {
                argmax.withUnsafeMutableBufferPointer { am in
                    windowForward(x, planes: planes, out: out.baseAddress!, argmax: am.baseAddress!)
                }
            }
        }
    }

    /// 2x2 windows, stride 2: the pair maximum of the top row, of the bottom row, then of
    /// the two. Each comparison keeps the earlier element unless the later one is greater
    /// or NaN, which picks the element a row-major scan with the same rule picks. Rows
    /// run 8 (or 4) windows at a time; a last chunk overlaps the previous one.
    private func pairPoolForward(_ x: UnsafePointer<Float>, planes: Range<Int>,
                                 out: UnsafeMutablePointer<Float>, place: UnsafeMutablePointer<Float>) {
        let (h, w, oh, ow) = (geometry.height, geometry.width, geometry.outHeight, geometry.outWidth)
        for row in (planes.lowerBound * oh)..<(planes.upperBound * oh) {
            let (plane, y) = row.quotientAndRemainder(dividingBy: oh)
            let top = x + plane * h * w + 2 * y * w, bottom = top + w
            let o = out + row * ow, p = place + row * ow
            if ow >= 8 {
                for j in Swift.stride(from: 0, to: ow, by: 8) {
                    let at = min(j, ow - 8)
                    let (value, corner) = pairMax8(top + 2 * at, bottom + 2 * at)
                    UnsafeMutableRawPointer(o + at).storeBytes(of: value, as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(p + at).storeBytes(of: corner, as: SIMD8<Float>.self)
                }
            } else if ow >= 4 {
                for j in Swift.stride(from: 0, to: ow, by: 4) {
                    let at = min(j, ow - 4)
                    let (value, corner) = pairMax4(top + 2 * at, bottom + 2 * at)
                    UnsafeMutableRawPointer(o + at).storeBytes(of: value, as: SIMD4<Float>.self)
                    UnsafeMutableRawPointer(p + at).storeBytes(of: corner, as: SIMD4<Float>.self)
                }
            } else {
                for j in 0..<ow {
                    let a = top[2 * j], b = top[2 * j + 1], c = bottom[2 * j], d = bottom[2 * j + 1]
                    let right = (b > a) != (b != b), lowerRight = (d > c) != (d != d)
                    let upper = right ? b : a, lower = lowerRight ? d : c
                    let down = (lower > upper) != (lower != lower)
                    o[j] = down ? lower : upper
                    p[j] = down ? (lowerRight ? 3 : 2) : (right ? 1 : 0)
                }
            }
        }
    }

    /// Any window and stride: a row-major scan of each window.
    private func windowForward(_ xp: UnsafePointer<Float>, planes: Range<Int>,
                               out: UnsafeMutablePointer<Float>, argmax am: UnsafeMutablePointer<Int32>) {
        let (k, s, h, w, oh, ow) = (size, stride, geometry.height, geometry.width, geometry.outHeight, geometry.outWidth)
        for plane in planes {
            let x = xp + plane * h * w
            let base = plane * h * w
            for y in 0..<oh {
                for xo in 0..<ow {
                    let start = (y * s) * w + xo * s
                    var best = x[start]
                    var bestIndex = start
                    for dy in 0..<k {
                        let row = start + dy * w
                        for dx in 0..<k {
                            let v = x[row + dx]
                            let take = (v > best) != (v != v)  // a NaN wins and stays (PyTorch); no short-circuit branch
                            best = take ? v : best
                            bestIndex = take ? row + dx : bestIndex
                        }
                    }
                    let o = (plane * oh + y) * ow + xo
                    out[o] = best
                    am[o] = Int32(base + bestIndex)
                }
            }
        }
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        let g = geometry
        precondition(outputGradient.shape == [batch, g.channels, g.outHeight, g.outWidth],
                     "\(description): gradient \(outputGradient.shape) should be \([batch, g.channels, g.outHeight, g.outWidth])")
        guard needsInputGradient else { return emptyGradient }
        inputGradient.ensureShape([batch, g.channels, g.height, g.width])
        outputGradient.withUnsafeBufferPointer { gp in
            inputGradient.withUnsafeMutableBufferPointer { dx in
                if isPairPool {
                    corners.withUnsafeBufferPointer { place in
                        pairPoolBackward(gp.baseAddress!, place: place.baseAddress!, planes: batch * g.channels, into: dx.baseAddress!)
                    }
                } else {
                    argmax.withUnsafeBufferPointer { am in
                        dx.update(repeating: 0)
                        for o in 0..<gp.count { dx[Int(am[o])] += gp[o] }
                    }
                }
            }
        }
        return inputGradient
    }

    /// Writes each window's four input gradients (0 + the output gradient at the maximum,
    /// as the scatter into zeros gives, and 0 elsewhere) and zeros the row and column an
    /// odd input leaves outside every window.
    private func pairPoolBackward(_ gradient: UnsafePointer<Float>, place: UnsafePointer<Float>, planes: Int,
                                  into dx: UnsafeMutablePointer<Float>) {
        let (h, w, oh, ow) = (geometry.height, geometry.width, geometry.outHeight, geometry.outWidth)
        for plane in 0..<planes {
            let d = dx + plane * h * w
            for y in 0..<oh {
                let top = d + 2 * y * w, bottom = top + w
                let g = gradient + (plane * oh + y) * ow, p = place + (plane * oh + y) * ow
                if ow >= 8 {
                    for j in Swift.stride(from: 0, to: ow, by: 8) {
                        let at = min(j, ow - 8)
                        pairRoute8(g + at, p + at, top + 2 * at, bottom + 2 * at)
                    }
                } else if ow >= 4 {
                    for j in Swift.stride(from: 0, to: ow, by: 4) {
                        let at = min(j, ow - 4)
                        pairRoute4(g + at, p + at, top + 2 * at, bottom + 2 * at)
                    }
                } else {
                    for j in 0..<ow {
                        let v = 0 + g[j], at = p[j]
                        top[2 * j] = at == 0 ? v : 0
                        top[2 * j + 1] = at == 1 ? v : 0
                        bottom[2 * j] = at == 2 ? v : 0
                        bottom[2 * j + 1] = at == 3 ? v : 0
                    }
                }
                if w > 2 * ow {
                    top[w - 1] = 0
                    bottom[w - 1] = 0
                }
            }
            if h > 2 * oh { (d + (h - 1) * w).update(repeating: 0, count: w) }
        }
    }
}

// The 2x2/2 pool's kernels, for 8 and 4 adjacent windows: the same steps at two widths,
// kept apart so that each compiles to whole-vector moves. (One generic function over the
// SIMD width was not specialized by the compiler: the peers' CNN epoch took 64 s instead
// of 22.5 s, `kiln-bench cnn-epoch --threads 1`.) `top` and `bottom` point at
// the windows' first input of each row; a corner is 0, 1 (top row) or 2, 3 (bottom row).

/// The maximum of 8 adjacent 2x2 windows and its corner.
@inline(__always)
private func pairMax8(_ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
    let t = UnsafeRawPointer(top).loadUnaligned(as: SIMD16<Float>.self)
    let b = UnsafeRawPointer(bottom).loadUnaligned(as: SIMD16<Float>.self)
    var upper = t.evenHalf, upperCorner = SIMD8<Float>(repeating: 0)
    let right = (t.oddHalf .> upper) .^ (t.oddHalf .!= t.oddHalf)
    upper.replace(with: t.oddHalf, where: right)
    upperCorner.replace(with: 1, where: right)
    var lower = b.evenHalf, lowerCorner = SIMD8<Float>(repeating: 2)
    let lowerRight = (b.oddHalf .> lower) .^ (b.oddHalf .!= b.oddHalf)
    lower.replace(with: b.oddHalf, where: lowerRight)
    lowerCorner.replace(with: 3, where: lowerRight)
    let down = (lower .> upper) .^ (lower .!= lower)
    upper.replace(with: lower, where: down)
    upperCorner.replace(with: lowerCorner, where: down)
    return (upper, upperCorner)
}

/// As ``pairMax8`` for 4 windows.
@inline(__always)
private func pairMax4(_ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>) -> (SIMD4<Float>, SIMD4<Float>) {
    let t = UnsafeRawPointer(top).loadUnaligned(as: SIMD8<Float>.self)
    let b = UnsafeRawPointer(bottom).loadUnaligned(as: SIMD8<Float>.self)
    var upper = t.evenHalf, upperCorner = SIMD4<Float>(repeating: 0)
    let right = (t.oddHalf .> upper) .^ (t.oddHalf .!= t.oddHalf)
    upper.replace(with: t.oddHalf, where: right)
    upperCorner.replace(with: 1, where: right)
    var lower = b.evenHalf, lowerCorner = SIMD4<Float>(repeating: 2)
    let lowerRight = (b.oddHalf .> lower) .^ (b.oddHalf .!= b.oddHalf)
    lower.replace(with: b.oddHalf, where: lowerRight)
    lowerCorner.replace(with: 3, where: lowerRight)
    let down = (lower .> upper) .^ (lower .!= lower)
    upper.replace(with: lower, where: down)
    upperCorner.replace(with: lowerCorner, where: down)
    return (upper, upperCorner)
}

/// Routes 8 windows' output gradients to their corners: writes 16 floats of each row.
@inline(__always)
private func pairRoute8(_ gradient: UnsafePointer<Float>, _ corner: UnsafePointer<Float>,
                        _ top: UnsafeMutablePointer<Float>, _ bottom: UnsafeMutablePointer<Float>) {
    let g = 0 + UnsafeRawPointer(gradient).loadUnaligned(as: SIMD8<Float>.self)
    let c = UnsafeRawPointer(corner).loadUnaligned(as: SIMD8<Float>.self)
    let zero = SIMD8<Float>(repeating: 0)
    let at = { (k: Float) in zero.replacing(with: g, where: c .== k) }
    UnsafeMutableRawPointer(top).storeBytes(of: interleave(at(0), at(1)), as: SIMD16<Float>.self)
    UnsafeMutableRawPointer(bottom).storeBytes(of: interleave(at(2), at(3)), as: SIMD16<Float>.self)
}

/// As ``pairRoute8`` for 4 windows.
@inline(__always)
private func pairRoute4(_ gradient: UnsafePointer<Float>, _ corner: UnsafePointer<Float>,
                        _ top: UnsafeMutablePointer<Float>, _ bottom: UnsafeMutablePointer<Float>) {
    let g = 0 + UnsafeRawPointer(gradient).loadUnaligned(as: SIMD4<Float>.self)
    let c = UnsafeRawPointer(corner).loadUnaligned(as: SIMD4<Float>.self)
    let zero = SIMD4<Float>(repeating: 0)
    let at = { (k: Float) in zero.replacing(with: g, where: c .== k) }
    UnsafeMutableRawPointer(top).storeBytes(of: interleave(at(0), at(1)), as: SIMD8<Float>.self)
    UnsafeMutableRawPointer(bottom).storeBytes(of: interleave(at(2), at(3)), as: SIMD8<Float>.self)
}

/// (a₀, b₀, a₁, b₁, …).
@inline(__always)
private func interleave(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD16<Float> {
    SIMD16(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
}

/// (a₀, b₀, a₁, b₁, …).
@inline(__always)
private func interleave(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD8<Float> {
    SIMD8(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3])
}

import KilnTensor

/// `maxpool(size, stride=size)` [aliases `max-pool`, `maxpool2d`]: the maximum of each
/// `size x size` window per channel (no padding; output ⌊(in − size)/stride⌋ + 1).
///
/// Backward routes each output gradient to the input element that was the maximum
/// (the first one in row-major order on ties); overlapping windows (stride < size) add up.
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
    /// For every output element, the flat index of its maximum within the batch input.
    private var argmax: [Int32] = []

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

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let g = geometry
        precondition(input.rank == 4 && Array(input.shape.dropFirst()) == [g.channels, g.height, g.width],
                     "\(description): input \(input.shape) should be [batch, \(g.channels), \(g.height), \(g.width)]")
        batch = input.shape[0]
        precondition(input.count <= Int(Int32.max), "maxpool: batch too large")
        output.ensureShape([batch, g.channels, g.outHeight, g.outWidth])
        let outCount = output.count
        if argmax.count != outCount { argmax = [Int32](repeating: 0, count: outCount) }
        let (k, s, h, w, oh, ow) = (size, stride, g.height, g.width, g.outHeight, g.outWidth)
        let planes = batch * g.channels
        input.withUnsafeBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { out in
                argmax.withUnsafeMutableBufferPointer { am in
                    for plane in 0..<planes {
                        let x = xp.baseAddress! + plane * h * w
                        let base = plane * h * w
                        if k == 2 && s == 2 {
                            // The common 2x2/2 pool: 8 (or 4) outputs at a time with SIMD
                            // compares and selects; the last chunk overlaps the previous one.
                            for y in 0..<oh {
                                let r0 = 2 * y * w
                                let outRow = (plane * oh + y) * ow
                                if ow >= 8 {
                                    var xo = 0
                                    while xo < ow {
                                        let at = min(xo, ow - 8)
                                        pool2x2x8(x, row: r0, width: w, column: at, base: base,
                                                  out: out.baseAddress! + outRow + at, argmax: am.baseAddress! + outRow + at)
                                        xo += 8
                                    }
                                } else if ow >= 4 {
                                    var xo = 0
                                    while xo < ow {
                                        let at = min(xo, ow - 4)
                                        pool2x2x4(x, row: r0, width: w, column: at, base: base,
                                                  out: out.baseAddress! + outRow + at, argmax: am.baseAddress! + outRow + at)
                                        xo += 4
                                    }
                                } else {
                                    for xo in 0..<ow {
                                        var best = x[r0 + 2 * xo], index = r0 + 2 * xo
                                        for candidate in 1..<4 {
                                            let at = r0 + (candidate >> 1) * w + 2 * xo + (candidate & 1)
                                            let v = x[at]
                                            if (v > best) != (v != v) { best = v; index = at }
                                        }
                                        out[outRow + xo] = best
                                        am[outRow + xo] = Int32(base + index)
                                    }
                                }
                            }
                            continue
                        }
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
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        let g = geometry
        precondition(outputGradient.shape == [batch, g.channels, g.outHeight, g.outWidth],
                     "\(description): gradient \(outputGradient.shape) should be \([batch, g.channels, g.outHeight, g.outWidth])")
        guard needsInputGradient else { return emptyGradient }
        inputGradient.ensureShape([batch, g.channels, g.height, g.width])
        outputGradient.withUnsafeBufferPointer { gp in
            argmax.withUnsafeBufferPointer { am in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    dx.update(repeating: 0)
                    for o in 0..<gp.count { dx[Int(am[o])] += gp[o] }
                }
            }
        }
        return inputGradient
    }
}

/// Max of 8 adjacent 2x2 windows: inputs at `row`/`row + width`, columns 2·column ..< 2·column + 16.
/// A NaN wins and stays, as in PyTorch.
@inline(__always)
private func pool2x2x8(_ x: UnsafePointer<Float>, row: Int, width: Int, column: Int, base: Int,
                       out: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
    let top = UnsafeRawPointer(x + row + 2 * column).loadUnaligned(as: SIMD16<Float>.self)
    let bottom = UnsafeRawPointer(x + row + width + 2 * column).loadUnaligned(as: SIMD16<Float>.self)
    let first = Int32(base + row + 2 * column)
    var index = SIMD8<Int32>(first, first + 2, first + 4, first + 6, first + 8, first + 10, first + 12, first + 14)
    var best = top.evenHalf
    let start = index
    var take = (top.oddHalf .> best) .^ (top.oddHalf .!= top.oddHalf)
    best.replace(with: top.oddHalf, where: take)
    index.replace(with: start &+ 1, where: take)
    take = (bottom.evenHalf .> best) .^ (bottom.evenHalf .!= bottom.evenHalf)
    best.replace(with: bottom.evenHalf, where: take)
    index.replace(with: start &+ Int32(width), where: take)
    take = (bottom.oddHalf .> best) .^ (bottom.oddHalf .!= bottom.oddHalf)
    best.replace(with: bottom.oddHalf, where: take)
    index.replace(with: start &+ Int32(width + 1), where: take)
    UnsafeMutableRawPointer(out).storeBytes(of: best, as: SIMD8<Float>.self)
    UnsafeMutableRawPointer(argmax).storeBytes(of: index, as: SIMD8<Int32>.self)
}

/// As ``pool2x2x8`` for 4 windows.
@inline(__always)
private func pool2x2x4(_ x: UnsafePointer<Float>, row: Int, width: Int, column: Int, base: Int,
                       out: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
    let top = UnsafeRawPointer(x + row + 2 * column).loadUnaligned(as: SIMD8<Float>.self)
    let bottom = UnsafeRawPointer(x + row + width + 2 * column).loadUnaligned(as: SIMD8<Float>.self)
    let first = Int32(base + row + 2 * column)
    var index = SIMD4<Int32>(first, first + 2, first + 4, first + 6)
    var best = top.evenHalf
    let start = index
    var take = (top.oddHalf .> best) .^ (top.oddHalf .!= top.oddHalf)
    best.replace(with: top.oddHalf, where: take)
    index.replace(with: start &+ 1, where: take)
    take = (bottom.evenHalf .> best) .^ (bottom.evenHalf .!= bottom.evenHalf)
    best.replace(with: bottom.evenHalf, where: take)
    index.replace(with: start &+ Int32(width), where: take)
    take = (bottom.oddHalf .> best) .^ (bottom.oddHalf .!= bottom.oddHalf)
    best.replace(with: bottom.oddHalf, where: take)
    index.replace(with: start &+ Int32(width + 1), where: take)
    for i in 0..<4 {
        out[i] = best[i]
        argmax[i] = index[i]
    }
}

/// A direct 3×3 convolution with stride 1 and padding 1 for inputs of few channels: the
/// first layer of a grey or RGB network (``Conv2D`` takes it below
/// ``Conv2D/winogradMinimumChannels``).
///
/// With one input channel, im2col would copy every pixel nine times to feed a GEMM whose
/// inner dimension is 9: the copies and the GEMM's packing cost more than its
/// multiplications, and backward rebuilds the columns to get dW. Here each output row is
/// computed in 8-wide vectors straight from a zero-bordered copy of the input planes:
///
///     y[f][r][x] = b[f] + Σ_c Σ_{i,j} w[f][c][i][j] · xpad[c][r + i][x + j]
///     dW[f][c][i][j] = Σ_n Σ_{r,x} dY[n][f][r][x] · xpad_n[c][r + i][x + j]
///     dX[c][r][x] = Σ_f Σ_{i,j} w[f][c][i][j] · dYpad[f][r + 2 − i][x + 2 − j]
///
/// where xpad (dYpad) has the plane at offset (1, 1) in a one-pixel zero border. A row of
/// width w is cut into ⌈w/8⌉ vectors; the last one starts at w − 8 and overlaps the one
/// before (forward writes the same values again; dW masks the overlapping lanes so that no
/// product counts twice). Rows narrower than 8 take a scalar loop.
///
/// Sums run in a fixed order (bias, then channels, then the nine taps; dW example by
/// example, row by row, then across the eight lanes), so the result depends on the input
/// alone, never on threads. It differs from im2col's GEMM in the last bits.
final class DirectConv3x3 {
    let channels: Int, filters: Int, height: Int, width: Int
    /// The zero-bordered input planes of one example (`[C][h + 2][w + 2]`; the border is
    /// zero since allocation and only the interior is written), the same for one output
    /// gradient plane, and dW's vector partial sums `[F][C][9]` of 8 lanes.
    private let padded = Scratch(), paddedGradient = Scratch(), partial = Scratch()

    init(channels: Int, filters: Int, height: Int, width: Int) {
        (self.channels, self.filters, self.height, self.width) = (channels, filters, height, width)
    }

    private var rowStride: Int { width + 2 }
    private var planeStride: Int { (height + 2) * (width + 2) }
    /// 8-wide vectors per row (0 when rows are narrower than 8).
    private var chunks: Int { width >= 8 ? (width + 7) / 8 : 0 }

    /// The lanes of a row's last vector that the vector before it already covers.
    private var lastMask: SIMDMask<SIMD8<Int32>> {
        SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) .< SIMD8(repeating: Int32(8 * chunks - width))
    }

    /// The first column of vector `chunk` of a row: 8·chunk, the last one at w − 8.
    @inline(__always) private func column(_ chunk: Int) -> Int { min(8 &* chunk, width &- 8) }

    /// Copies the `count` planes at `planes` into the interior of `buffer`'s bordered planes.
    private func pad(_ planes: UnsafePointer<Float>, count: Int, into buffer: Scratch) -> UnsafeMutablePointer<Float> {
        let (h, w, row, plane) = (height, width, rowStride, planeStride)
        let p = buffer.reserve(count * plane)
        for c in 0..<count {
            for y in 0..<h { (p + (c &* plane &+ (y &+ 1) &* row &+ 1)).update(from: planes + (c &* h &+ y) &* w, count: w) }
        }
        return p
    }

    // MARK: Passes

    /// y = conv(x, W) + b for `batch` NCHW examples; `afterExample` runs as soon as an
    /// example's output is complete.
    func forward(_ x: UnsafePointer<Float>, batch: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                 into y: UnsafeMutablePointer<Float>, afterExample: ((Int) -> Void)? = nil) {
        let (c, f, h, w, row, plane) = (channels, filters, height, width, rowStride, planeStride)
        let outPlane = h * w
        for n in 0..<batch {
            let xp = pad(x + n * c * outPlane, count: c, into: padded)
            let out = y + n * f * outPlane
            for r in 0..<h {
                for chunk in 0..<chunks {
                    let x0 = column(chunk)
                    if c == 1 {
                        // One channel: the nine input vectors serve every filter.
                        let s = xp + (r &* row &+ x0)
                        let (d0, d1, d2) = (load(s), load(s + 1), load(s + 2))
                        let (d3, d4, d5) = (load(s + row), load(s + row + 1), load(s + row + 2))
                        let (d6, d7, d8) = (load(s + 2 * row), load(s + 2 * row + 1), load(s + 2 * row + 2))
                        for fi in 0..<f {
                            let k = weight + fi &* 9
                            var acc = SIMD8(repeating: bias[fi])
                            acc += k[0] * d0; acc += k[1] * d1; acc += k[2] * d2
                            acc += k[3] * d3; acc += k[4] * d4; acc += k[5] * d5
                            acc += k[6] * d6; acc += k[7] * d7; acc += k[8] * d8
                            store(acc, out + (fi &* outPlane &+ r &* w &+ x0))
                        }
                        continue
                    }
                    for fi in 0..<f {
                        var acc = SIMD8(repeating: bias[fi])
                        for ci in 0..<c {
                            let s = xp + (ci &* plane &+ r &* row &+ x0), k = weight + (fi &* c &+ ci) &* 9
                            acc += k[0] * load(s); acc += k[1] * load(s + 1); acc += k[2] * load(s + 2)
                            acc += k[3] * load(s + row); acc += k[4] * load(s + row + 1); acc += k[5] * load(s + row + 2)
                            acc += k[6] * load(s + 2 * row); acc += k[7] * load(s + 2 * row + 1); acc += k[8] * load(s + 2 * row + 2)
                        }
                        store(acc, out + (fi &* outPlane &+ r &* w &+ x0))
                    }
                }
                if chunks == 0 {
                    for fi in 0..<f {
                        for x0 in 0..<w {
                            var acc = bias[fi]
                            for ci in 0..<c {
                                let s = xp + (ci &* plane &+ r &* row &+ x0), k = weight + (fi &* c &+ ci) &* 9
                                for i in 0..<3 { for j in 0..<3 { acc += k[3 * i + j] * s[i &* row &+ j] } }
                            }
                            out[fi &* outPlane &+ r &* w &+ x0] = acc
                        }
                    }
                }
            }
            afterExample?(n)
        }
    }

    /// dW (overwritten) and, when `dx` is given, dX (overwritten) from dY, for the input `x`
    /// of the last forward pass and the weights `weight`.
    func backward(_ x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, batch: Int,
                  weight: UnsafePointer<Float>, weightGradient dw: UnsafeMutablePointer<Float>,
                  inputGradient dx: UnsafeMutablePointer<Float>?) {
        let (c, f, h, w) = (channels, filters, height, width)
        let outPlane = h * w
        let sums = partial.reserve(f * c * 9 * 8)
        sums.update(repeating: 0, count: f * c * 9 * 8)
        var scalarSums = [Float](repeating: 0, count: chunks == 0 ? f * c * 9 : 0)
        for n in 0..<batch {
            let xp = pad(x + n * c * outPlane, count: c, into: padded)
            let g = dy + n * f * outPlane
            if chunks > 0 {
                accumulateWeightGradient(xp, g, into: sums)
            } else {
                scalarSums.withUnsafeMutableBufferPointer { accumulateWeightGradientScalar(xp, g, into: $0.baseAddress!) }
            }
            if let dx { inputGradient(g, weight: weight, into: dx + n * c * outPlane) }
        }
        for q in 0..<(f * c * 9) {
            dw[q] = chunks > 0 ? load(sums + 8 * q).sum() : scalarSums[q]
        }
    }

    /// Adds one example's dW products to the vector partial sums: for each filter and
    /// channel, nine vector accumulators run over the rows, then join `sums`.
    private func accumulateWeightGradient(_ xp: UnsafePointer<Float>, _ g: UnsafePointer<Float>, into sums: UnsafeMutablePointer<Float>) {
        let (c, f, h, w, row, plane) = (channels, filters, height, width, rowStride, planeStride)
        let outPlane = h * w
        // The last vector's lanes that the one before it already covered count as zero.
        let (overlap, lastMask) = (8 * chunks - w, lastMask)
        for fi in 0..<f {
            for ci in 0..<c {
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>(), a4 = SIMD8<Float>()
                var a5 = SIMD8<Float>(), a6 = SIMD8<Float>(), a7 = SIMD8<Float>(), a8 = SIMD8<Float>()
                let plane0 = xp + ci &* plane
                for r in 0..<h {
                    for chunk in 0..<chunks {
                        let x0 = column(chunk)
                        var gv = load(g + (fi &* outPlane &+ r &* w &+ x0))
                        if chunk == chunks - 1 && overlap > 0 { gv.replace(with: 0, where: lastMask) }
                        let s = plane0 + (r &* row &+ x0)
                        a0 += gv * load(s); a1 += gv * load(s + 1); a2 += gv * load(s + 2)
                        a3 += gv * load(s + row); a4 += gv * load(s + row + 1); a5 += gv * load(s + row + 2)
                        a6 += gv * load(s + 2 * row); a7 += gv * load(s + 2 * row + 1); a8 += gv * load(s + 2 * row + 2)
                    }
                }
                let t = sums + (fi &* c &+ ci) &* 72
                store(load(t) + a0, t); store(load(t + 8) + a1, t + 8); store(load(t + 16) + a2, t + 16)
                store(load(t + 24) + a3, t + 24); store(load(t + 32) + a4, t + 32); store(load(t + 40) + a5, t + 40)
                store(load(t + 48) + a6, t + 48); store(load(t + 56) + a7, t + 56); store(load(t + 64) + a8, t + 64)
            }
        }
    }

    /// ``accumulateWeightGradient(_:_:into:)`` for rows narrower than 8, one float at a time.
    private func accumulateWeightGradientScalar(_ xp: UnsafePointer<Float>, _ g: UnsafePointer<Float>, into sums: UnsafeMutablePointer<Float>) {
        let (c, f, h, w, row, plane) = (channels, filters, height, width, rowStride, planeStride)
        for fi in 0..<f {
            for ci in 0..<c {
                let t = sums + (fi &* c &+ ci) &* 9
                for i in 0..<3 {
                    for j in 0..<3 {
                        var acc: Float = 0
                        for r in 0..<h {
                            for x0 in 0..<w { acc += g[fi &* h &* w &+ r &* w &+ x0] * xp[ci &* plane &+ (r &+ i) &* row &+ x0 &+ j] }
                        }
                        t[3 * i + j] += acc
                    }
                }
            }
        }
    }

    /// dX of one example (overwritten) from its output gradient `g`: each filter's gradient
    /// plane is bordered, then correlated with the filter turned by 180°, filters in order.
    private func inputGradient(_ g: UnsafePointer<Float>, weight: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        let (c, f, h, w, row) = (channels, filters, height, width, rowStride)
        let outPlane = h * w
        let (overlap, lastMask) = (8 * chunks - w, lastMask)
        dx.update(repeating: 0, count: c * outPlane)
        for fi in 0..<f {
            let gp = pad(g + fi * outPlane, count: 1, into: paddedGradient)
            for ci in 0..<c {
                let k = weight + (fi &* c &+ ci) &* 9
                let plane = dx + ci &* outPlane
                for r in 0..<h {
                    if chunks == 0 {
                        for x0 in 0..<w {
                            var acc = plane[r &* w &+ x0]
                            for i in 0..<3 { for j in 0..<3 { acc += k[8 - 3 * i - j] * gp[(r &+ i) &* row &+ x0 &+ j] } }
                            plane[r &* w &+ x0] = acc
                        }
                        continue
                    }
                    for chunk in 0..<chunks {
                        let x0 = column(chunk)
                        let s = gp + (r &* row &+ x0), o = plane + (r &* w &+ x0)
                        var sum = k[8] * load(s)
                        sum += k[7] * load(s + 1); sum += k[6] * load(s + 2)
                        sum += k[5] * load(s + row); sum += k[4] * load(s + row + 1); sum += k[3] * load(s + row + 2)
                        sum += k[2] * load(s + 2 * row); sum += k[1] * load(s + 2 * row + 1); sum += k[0] * load(s + 2 * row + 2)
                        // The overlapping last vector adds only its new lanes.
                        if chunk == chunks - 1 && overlap > 0 { sum.replace(with: 0, where: lastMask) }
                        store(load(o) + sum, o)
                    }
                }
            }
        }
    }
}

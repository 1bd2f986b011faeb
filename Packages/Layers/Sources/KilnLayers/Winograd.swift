import KilnTensor

/// Winograd's minimal filtering F(2×2, 3×3) for 3×3 convolutions with stride 1 and
/// padding 1 (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).
///
/// The output is cut into 2×2 tiles; tile t of channel c reads a 4×4 input patch d. With
///
///     Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
///     G  = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
///     Aᵀ = [1 1 1 0; 0 1 −1 −1]
///
/// each output tile is  y = Aᵀ [ Σ_c (G g_kc Gᵀ) ⊙ (Bᵀ d_c B) ] A.  Writing U = G g Gᵀ and
/// V = Bᵀ d B, the sum over channels at each of the 16 positions ξ of the 4×4 transform is
/// one matrix product, M_ξ [K × P] = U_ξ [K × C] · V_ξ [C × P] for K filters, C channels and
/// P tiles, so a layer costs 16 GEMMs of K·C·P instead of im2col's one of K·9C·4P: 2.25×
/// fewer multiplications. The transforms are additions (and halvings for U).
///
/// The backward pass is the adjoint of the same algebra, again 16 GEMMs each:
///
///     dM = A dY Aᵀ                 (per tile, from the 2×2 output gradient)
///     dU_ξ = dM_ξ · V_ξᵀ,  dW = Gᵀ dU G
///     dV_ξ = U_ξᵀ · dM_ξ,  dX += B dV Bᵀ   (overlapping 4×4 patches add up)
///
/// Results differ from im2col's in the last bits (other sums in another order) and agree to
/// about 1e-6 relative; both are deterministic: the work is split by examples alone (groups
/// whose size depends on the batch size), never by thread.
///
/// Layout: channels last. Each group of examples is copied into a zero-bordered HWC image,
/// so a tile's 16 input values are 16 vectors of all C channels, and the transforms run on
/// 8-wide SIMD vectors across channels (or filters) instead of along the short rows of
/// 14×14 images. V_ξ is P × C and M_ξ is P × K (rows padded to a multiple of 8 floats),
/// U_ξ is C × K. Buffers are kept between steps; a group is sized so that V and M hold
/// about ``budget`` floats.
final class Winograd3x3 {
    let channels: Int, filters: Int, height: Int, width: Int
    /// Tiles per column and per row: ⌈h/2⌉ and ⌈w/2⌉.
    let tilesY: Int, tilesX: Int
    var tiles: Int { tilesY * tilesX }
    /// Channels and filters rounded up to whole SIMD vectors (the padding lanes hold zeros).
    let channelStride: Int, filterStride: Int

    /// U [16][C][K], V and dV [16][P][C′], M and dM [16][P][K′], dU [16][C][K]; the
    /// zero-bordered HWC input, the HWC output (and output gradient), the bias padded to K′,
    /// and one tile's 16 vectors.
    private let u = Scratch(), v = Scratch(), m = Scratch(), du = Scratch()
    /// V of every group of the last training forward pass, kept for its backward pass
    /// (group blocks one after another), and that pass's batch size; nil when not kept.
    private let keptV = Scratch()
    private var keptBatch: Int?
    /// The input `image` keeps its zero border and padding lanes from allocation (only the
    /// interior's real channels are ever written), so it is not cleared per example; the
    /// input gradient, which adds into its border, has its own `gradientImage`.
    private let image = Scratch(), gradientImage = Scratch()
    private let result = Scratch(), paddedBias = Scratch(), tile = Scratch()

    /// Floats of V and M together per group (4 MB): large GEMMs, buffers within cache reach.
    static let budget = 1 << 20

    init(channels: Int, filters: Int, height: Int, width: Int) {
        (self.channels, self.filters, self.height, self.width) = (channels, filters, height, width)
        (tilesY, tilesX) = ((height + 1) / 2, (width + 1) / 2)
        (channelStride, filterStride) = ((channels + 7) / 8 * 8, (filters + 7) / 8 * 8)
    }

    /// Examples per group (at least one).
    func groupSize(batch: Int) -> Int {
        max(1, min(batch, Self.budget / max(1, 16 * (channelStride + filterStride) * tiles)))
    }

    /// The zero-bordered input plane: pixel (y, x) at (y + 1, x + 1); even-sized output planes.
    private var paddedHeight: Int { 2 * tilesY + 2 }
    private var paddedWidth: Int { 2 * tilesX + 2 }

    // MARK: Passes

    /// y = conv(x, W) + b for a batch of `batch` NCHW examples. With `keep` (training), the
    /// transformed input V of the whole batch is kept for ``backward``, which then does not
    /// transform the input again: 16 floats per tile and channel, 4x the input's size.
    func forward(_ x: UnsafePointer<Float>, batch: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                 into y: UnsafeMutablePointer<Float>, keep: Bool = false, afterExample: ((Int) -> Void)? = nil) {
        let (k, c, cs, ks) = (filters, channels, channelStride, filterStride)
        let uu = u.reserve(16 * c * k)
        transformFilters(weight, into: uu)
        let b = paddedBias.reserve(ks)
        b.update(from: bias, count: k)
        keptBatch = nil
        let kept = keep ? keptV.reserve(16 * batch * tiles * cs) : nil
        forEachGroup(x, batch: batch, kept: kept, transform: true) { first, n, vv, mm in
            let p = n * tiles
            for xi in 0..<16 {
                // M_ξ (P × K) = V_ξ (P × C) · U_ξ (C × K).
                gemm(m: p, n: k, k: c, a: vv + xi * p * cs, lda: cs, b: uu + xi * c * k, ldb: k,
                     beta: 0, c: mm + xi * p * ks, ldc: ks)
            }
            transformOutput(mm, first: first, count: n, bias: b, into: y, afterExample: afterExample)
        }
        if keep { keptBatch = batch }
    }

    /// dW (overwritten) and, when `dx` is given, dX (overwritten) from dY, for the input `x`
    /// of the last forward pass and the same weights.
    func backward(_ x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, batch: Int,
                  weight: UnsafePointer<Float>, weightGradient dw: UnsafeMutablePointer<Float>,
                  inputGradient dx: UnsafeMutablePointer<Float>?) {
        let (k, c, cs, ks) = (filters, channels, channelStride, filterStride)
        let uu = u.reserve(16 * c * k)
        transformFilters(weight, into: uu)
        let duu = du.reserve(16 * c * k)
        // V kept by the forward pass of this batch, or transformed again.
        let kept = keptBatch == batch ? keptV.reserve(16 * batch * tiles * cs) : nil
        keptBatch = nil   // dV overwrites it below
        forEachGroup(x, batch: batch, kept: kept, transform: kept == nil) { first, n, vv, mm in
            let p = n * tiles
            transformOutputGradient(dy, first: first, count: n, into: mm)
            for xi in 0..<16 {
                // dU_ξ (C × K) += V_ξᵀ (C × P) · dM_ξ (P × K); the first group overwrites.
                gemm(transposeA: true, m: c, n: k, k: p, a: vv + xi * p * cs, lda: cs, b: mm + xi * p * ks, ldb: ks,
                     beta: first == 0 ? 0 : 1, c: duu + xi * c * k, ldc: k)
            }
            if let dx {
                for xi in 0..<16 {
                    // dV_ξ (P × C) = dM_ξ (P × K) · U_ξᵀ (K × C), into V's buffer (V is used up).
                    gemm(transposeB: true, m: p, n: c, k: k, a: mm + xi * p * ks, lda: ks, b: uu + xi * c * k, ldb: k,
                         beta: 0, c: vv + xi * p * cs, ldc: cs)
                }
                transformInputGradient(vv, first: first, count: n, into: dx)
            }
        }
        transformFilterGradient(duu, into: dw)
    }

    /// Runs `body` on each group of examples in order: the group's first example, its size,
    /// and the V and M buffers for it, V holding the group's transformed input. V is the
    /// group's block of `kept` (whole-batch storage) when given, else a group-sized buffer;
    /// `transform` fills it from `x` (false: `kept` holds it already).
    private func forEachGroup(_ x: UnsafePointer<Float>, batch: Int, kept: UnsafeMutablePointer<Float>?, transform: Bool,
                              _ body: (_ first: Int, _ count: Int, _ vv: UnsafeMutablePointer<Float>, _ mm: UnsafeMutablePointer<Float>) -> Void) {
        let group = groupSize(batch: batch)
        var first = 0
        while first < batch {
            let n = min(group, batch - first), p = n * tiles
            let vv = kept.map { $0 + 16 * first * tiles * channelStride } ?? v.reserve(16 * p * channelStride)
            let mm = m.reserve(16 * p * filterStride)
            if transform { transformInput(x, first: first, count: n, into: vv) }
            body(first, n, vv, mm)
            first += n
        }
    }

    // MARK: Filter transforms

    /// U_ξ[c][k] = (G g_kc Gᵀ)_ξ for every filter k and channel c.
    private func transformFilters(_ weight: UnsafePointer<Float>, into uu: UnsafeMutablePointer<Float>) {
        let (k, c) = (filters, channels), matrixStride = c * k
        for kk in 0..<k {
            for ci in 0..<c {
                let g = weight + (kk * c + ci) * 9
                var s = SIMD16<Float>()   // G g (4 × 3), 12 used
                for j in 0..<3 {
                    let (g0, g1, g2) = (g[j], g[3 + j], g[6 + j])
                    s[j] = g0
                    s[3 + j] = 0.5 * (g0 + g1 + g2)
                    s[6 + j] = 0.5 * (g0 - g1 + g2)
                    s[9 + j] = g2
                }
                let out = uu + ci * k + kk
                for a in 0..<4 {          // (G g) Gᵀ
                    let (s0, s1, s2) = (s[a * 3], s[a * 3 + 1], s[a * 3 + 2])
                    out[(a * 4) * matrixStride] = s0
                    out[(a * 4 + 1) * matrixStride] = 0.5 * (s0 + s1 + s2)
                    out[(a * 4 + 2) * matrixStride] = 0.5 * (s0 - s1 + s2)
                    out[(a * 4 + 3) * matrixStride] = s2
                }
            }
        }
    }

    /// dW_kc = Gᵀ dU_kc G for every filter k and channel c (overwrites `dw`).
    private func transformFilterGradient(_ duu: UnsafePointer<Float>, into dw: UnsafeMutablePointer<Float>) {
        let (k, c) = (filters, channels), matrixStride = c * k
        for kk in 0..<k {
            for ci in 0..<c {
                let d = duu + ci * k + kk
                var w = SIMD16<Float>()   // Gᵀ dU (3 × 4), 12 used
                for b in 0..<4 {
                    let (u0, u1, u2, u3) = (d[b * matrixStride], d[(4 + b) * matrixStride], d[(8 + b) * matrixStride], d[(12 + b) * matrixStride])
                    w[b] = u0 + 0.5 * (u1 + u2)
                    w[4 + b] = 0.5 * (u1 - u2)
                    w[8 + b] = 0.5 * (u1 + u2) + u3
                }
                let out = dw + (kk * c + ci) * 9
                for a in 0..<3 {          // (Gᵀ dU) G
                    let (w0, w1, w2, w3) = (w[a * 4], w[a * 4 + 1], w[a * 4 + 2], w[a * 4 + 3])
                    out[a * 3] = w0 + 0.5 * (w1 + w2)
                    out[a * 3 + 1] = 0.5 * (w1 - w2)
                    out[a * 3 + 2] = 0.5 * (w1 + w2) + w3
                }
            }
        }
    }

    // MARK: Tile transforms (8 channels or filters at a time)

    /// V_ξ[i·T + t] = (Bᵀ d B)_ξ for the 4×4 input patch d of tile t of example i of the
    /// group (zero outside the image), all channels at once.
    private func transformInput(_ x: UnsafePointer<Float>, first: Int, count n: Int, into vv: UnsafeMutablePointer<Float>) {
        let (c, cs, h, w, tw) = (channels, channelStride, height, width, tilesX)
        let (hp, wp) = (paddedHeight, paddedWidth)
        let matrixStride = n * tiles * cs                 // between the ξ matrices
        let xp = image.reserve(hp * wp * cs)   // borders and padding lanes: zero since allocation
        let t = tile.reserve(16 * 8)
        let row = wp * cs
        for i in 0..<n {
            Self.toChannelsLast(x + (first + i) * c * h * w, channels: c, height: h, width: w,
                                into: xp + row + cs, rowStride: row, channelStride: cs)
            for ty in 0..<tilesY {
                for tx in 0..<tw {
                    let corner = xp + 2 * ty * row + 2 * tx * cs
                    let out = vv + (i * tiles + ty * tw + tx) * cs
                    for lane in stride(from: 0, to: cs, by: 8) {
                        for b in 0..<4 {            // Bᵀ d, down column b
                            let col = corner + b * cs + lane
                            let (d0, d1, d2, d3) = (load(col), load(col + row), load(col + 2 * row), load(col + 3 * row))
                            store(d0 - d2, t + 8 * b); store(d1 + d2, t + 8 * (4 + b))
                            store(d2 - d1, t + 8 * (8 + b)); store(d1 - d3, t + 8 * (12 + b))
                        }
                        for a in 0..<4 {            // (Bᵀ d) B, along row a
                            let (t0, t1, t2, t3) = (load(t + 8 * 4 * a), load(t + 8 * (4 * a + 1)), load(t + 8 * (4 * a + 2)), load(t + 8 * (4 * a + 3)))
                            let o = out + 4 * a * matrixStride + lane
                            store(t0 - t2, o); store(t1 + t2, o + matrixStride); store(t2 - t1, o + 2 * matrixStride); store(t1 - t3, o + 3 * matrixStride)
                        }
                    }
                }
            }
        }
    }

    /// dX = Σ B dV Bᵀ over the tiles' overlapping 4×4 patches (inside the image), for the
    /// group's examples of `dx` (overwritten); tiles add in order.
    private func transformInputGradient(_ dv: UnsafePointer<Float>, first: Int, count n: Int, into dx: UnsafeMutablePointer<Float>) {
        let (c, cs, h, w, tw) = (channels, channelStride, height, width, tilesX)
        let (hp, wp) = (paddedHeight, paddedWidth)
        let matrixStride = n * tiles * cs
        let gx = gradientImage.reserve(hp * wp * cs)
        let t = tile.reserve(16 * 8)
        let row = wp * cs
        for i in 0..<n {
            gx.update(repeating: 0, count: hp * wp * cs)
            for ty in 0..<tilesY {
                for tx in 0..<tw {
                    let corner = gx + 2 * ty * row + 2 * tx * cs
                    let src = dv + (i * tiles + ty * tw + tx) * cs
                    for lane in stride(from: 0, to: cs, by: 8) {
                        for b in 0..<4 {            // B dV, down column b
                            let s = src + b * matrixStride + lane
                            let (v0, v1, v2, v3) = (load(s), load(s + 4 * matrixStride), load(s + 8 * matrixStride), load(s + 12 * matrixStride))
                            store(v0, t + 8 * b); store(v1 - v2 + v3, t + 8 * (4 + b))
                            store(v1 + v2 - v0, t + 8 * (8 + b)); store(-v3, t + 8 * (12 + b))
                        }
                        for a in 0..<4 {            // (B dV) Bᵀ, along row a, added at the patch
                            let (e0, e1, e2, e3) = (load(t + 8 * 4 * a), load(t + 8 * (4 * a + 1)), load(t + 8 * (4 * a + 2)), load(t + 8 * (4 * a + 3)))
                            let o = corner + a * row + lane
                            store(load(o) + e0, o)
                            store(load(o + cs) + (e1 - e2 + e3), o + cs)
                            store(load(o + 2 * cs) + (e1 + e2 - e0), o + 2 * cs)
                            store(load(o + 3 * cs) - e3, o + 3 * cs)
                        }
                    }
                }
            }
            Self.fromChannelsLast(gx + row + cs, rowStride: row, channelStride: cs,
                                  channels: c, height: h, width: w, into: dx + (first + i) * c * h * w)
        }
    }

    /// y = Aᵀ M A + b for every tile of the group, written where it lies inside the output;
    /// `afterExample` runs as soon as an example's output is complete.
    private func transformOutput(_ mm: UnsafePointer<Float>, first: Int, count n: Int, bias: UnsafePointer<Float>,
                                 into y: UnsafeMutablePointer<Float>, afterExample: ((Int) -> Void)?) {
        let (k, ks, h, w, tw) = (filters, filterStride, height, width, tilesX)
        let matrixStride = n * tiles * ks
        let we = 2 * tw, row = we * ks              // the HWC output plane, even-sized
        let yo = result.reserve(2 * tilesY * row)
        let t = tile.reserve(16 * 8)
        for i in 0..<n {
            for ty in 0..<tilesY {
                for tx in 0..<tw {
                    let src = mm + (i * tiles + ty * tw + tx) * ks
                    let corner = yo + 2 * ty * row + 2 * tx * ks
                    for lane in stride(from: 0, to: ks, by: 8) {
                        for b in 0..<4 {            // Aᵀ M, down column b
                            let s = src + b * matrixStride + lane
                            let (m0, m1, m2, m3) = (load(s), load(s + 4 * matrixStride), load(s + 8 * matrixStride), load(s + 12 * matrixStride))
                            store(m0 + m1 + m2, t + 8 * b); store(m1 - m2 - m3, t + 8 * (4 + b))
                        }
                        let bias = load(bias + lane)
                        for a in 0..<2 {            // (Aᵀ M) A, along rows 0 and 1
                            let (q0, q1, q2, q3) = (load(t + 8 * 4 * a), load(t + 8 * (4 * a + 1)), load(t + 8 * (4 * a + 2)), load(t + 8 * (4 * a + 3)))
                            let o = corner + a * row + lane
                            store(q0 + q1 + q2 + bias, o)
                            store(q1 - q2 - q3 + bias, o + ks)
                        }
                    }
                }
            }
            Self.fromChannelsLast(yo, rowStride: row, channelStride: ks, channels: k, height: h, width: w,
                                  into: y + (first + i) * k * h * w)
            afterExample?(first + i)
        }
    }

    /// dM = A dY Aᵀ for every tile (dY is zero where the tile lies outside the output).
    private func transformOutputGradient(_ dy: UnsafePointer<Float>, first: Int, count n: Int, into mm: UnsafeMutablePointer<Float>) {
        let (k, ks, h, w, tw) = (filters, filterStride, height, width, tilesX)
        let matrixStride = n * tiles * ks
        let we = 2 * tw, row = we * ks
        let gy = result.reserve(2 * tilesY * row)
        gy.update(repeating: 0, count: 2 * tilesY * row)   // an odd side's extra row or column stays zero
        for i in 0..<n {
            Self.toChannelsLast(dy + (first + i) * k * h * w, channels: k, height: h, width: w,
                                into: gy, rowStride: row, channelStride: ks)
            for ty in 0..<tilesY {
                for tx in 0..<tw {
                    let corner = gy + 2 * ty * row + 2 * tx * ks
                    let out = mm + (i * tiles + ty * tw + tx) * ks
                    for lane in stride(from: 0, to: ks, by: 8) {
                        let g = corner + lane
                        let (g00, g01, g10, g11) = (load(g), load(g + ks), load(g + row), load(g + row + ks))
                        // Rows of A dY: g0, g0 + g1, g0 − g1, −g1 (g0 = (g00, g01), g1 = (g10, g11));
                        // each row (r0, r1) becomes (r0, r0 + r1, r0 − r1, −r1).
                        func emit(_ a: Int, _ r0: SIMD8<Float>, _ r1: SIMD8<Float>) {
                            let o = out + 4 * a * matrixStride + lane
                            store(r0, o); store(r0 + r1, o + matrixStride); store(r0 - r1, o + 2 * matrixStride); store(-r1, o + 3 * matrixStride)
                        }
                        emit(0, g00, g01)
                        emit(1, g00 + g10, g01 + g11)
                        emit(2, g00 - g10, g01 - g11)
                        emit(3, -g10, -g11)
                    }
                }
            }
        }
    }

    // MARK: Layout

    /// Copies a CHW image into an HWC one whose pixel (y, x) starts at
    /// `hwc + y·rowStride + x·channelStride`.
    private static func toChannelsLast(_ chw: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                                       into hwc: UnsafeMutablePointer<Float>, rowStride: Int, channelStride: Int) {
        for y in 0..<height {
            transposeFloats(chw + y &* width, stride: height &* width, rows: channels, columns: width,
                      into: hwc + y &* rowStride, stride: channelStride)
        }
    }

    /// The inverse of ``toChannelsLast(_:channels:height:width:into:rowStride:channelStride:)``.
    private static func fromChannelsLast(_ hwc: UnsafePointer<Float>, rowStride: Int, channelStride: Int,
                                         channels: Int, height: Int, width: Int, into chw: UnsafeMutablePointer<Float>) {
        for y in 0..<height {
            transposeFloats(hwc + y &* rowStride, stride: channelStride, rows: width, columns: channels,
                      into: chw + y &* width, stride: height &* width)
        }
    }
}

/// `to[c·toStride + r] = from[r·fromStride + c]` for `rows` × `columns` floats: blocks of
/// 8 × 8 go through vector registers (a last block overlaps the one before, writing the
/// same values again); a side shorter than 8 is copied one float at a time.
private func transposeFloats(_ from: UnsafePointer<Float>, stride fromStride: Int, rows: Int, columns: Int,
                       into to: UnsafeMutablePointer<Float>, stride toStride: Int) {
    guard rows >= 8 && columns >= 8 else {
        for r in 0..<rows {
            for c in 0..<columns { to[c &* toStride &+ r] = from[r &* fromStride &+ c] }
        }
        return
    }
    for r0 in Swift.stride(from: 0, to: rows, by: 8) {
        let r = min(r0, rows - 8)
        for c0 in Swift.stride(from: 0, to: columns, by: 8) {
            let c = min(c0, columns - 8)
            let f = from + (r &* fromStride &+ c)
            let (a0, a1, a2, a3) = (load(f), load(f + fromStride), load(f + 2 &* fromStride), load(f + 3 &* fromStride))
            let (a4, a5, a6, a7) = (load(f + 4 &* fromStride), load(f + 5 &* fromStride), load(f + 6 &* fromStride), load(f + 7 &* fromStride))
            let t = to + (c &* toStride &+ r)
            for j in 0..<8 {
                store(SIMD8(a0[j], a1[j], a2[j], a3[j], a4[j], a5[j], a6[j], a7[j]), t + j &* toStride)
            }
        }
    }
}

/// Eight floats from `p` (unaligned).
@inline(__always)
private func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
@inline(__always)
private func load(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

/// Stores eight floats at `p` (unaligned).
@inline(__always)
private func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self) }

/// A float buffer that grows to the largest size asked for and is kept (no per-step
/// allocation); freed with its owner. New memory is zeroed, so padding lanes that no pass
/// writes read as zeros.
final class Scratch {
    private var pointer: UnsafeMutablePointer<Float>?
    private var capacity = 0

    /// At least `count` floats.
    func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity || pointer == nil {
            pointer?.deallocate()
            capacity = max(count, 1)
            pointer = .allocate(capacity: capacity)
            pointer!.initialize(repeating: 0, count: capacity)
        }
        return pointer!
    }

    deinit { pointer?.deallocate() }
}

/// A run of consecutive ``Warp``s composed into one affine map and sampled once.
///
/// Fusing rule: a warp joins the run when its border is constant and its interpolation is
/// nil (exact) or the same as the run's. The run reads the source once with the composed
/// map, the first warp's border and the run's interpolation (nearest for an all-exact run),
/// so a crop, flip, rotation and zoom cost one interpolation instead of four (the way
/// torchvision's `RandomAffine` composes). A point that leaves an intermediate frame, i.e.
/// whose position in the input of warp i >= 1 is outside that image's pixel area
/// `[-0.5, w - 0.5] x [-0.5, h - 0.5]`, reads the run's constant fill, as it would when
/// the warps ran one by one. A warp with an edge or reflect border starts a new run; a
/// warp with an ``Erasure`` ends its run, which erases its output after sampling.
struct FusedWarp: Sendable {
    struct Check: Sendable {
        var a, b, c, d, e, f: Float
        var maxX, maxY: Float   // w - 0.5, h - 0.5
    }

    var outputWidth: Int
    var outputHeight: Int
    var a, b, c, d, e, f: Float
    var checks: [Check]
    var interpolation: Interpolation
    var border: BorderMode
    /// What a point outside an intermediate frame reads.
    var fill: Float
    /// The last warp's erasure, applied to the output after sampling.
    var erase: Erasure?

    /// Splits `warps` (applied in order) into fused runs. `forceNearest` (masks of labels)
    /// samples every run with nearest neighbour and skips erasures: a mask keeps its
    /// labels where the image is erased, as torchvision's `RandomErasing` leaves targets.
    static func runs(_ warps: [Warp], forceNearest: Bool = false) -> [FusedWarp] {
        var result: [FusedWarp] = []
        var start = 0
        while start < warps.count {
            var end = start + 1
            var interpolation = warps[start].interpolation
            var fill: Float? = nil
            while end < warps.count, warps[end - 1].erase == nil {
                let next = warps[end]
                guard case .constant(let value) = next.border else { break }
                if let f = fill, f != value { break }
                if let i = interpolation, let j = next.interpolation, i != j { break }
                interpolation = interpolation ?? next.interpolation
                fill = value
                end += 1
            }
            result.append(FusedWarp(Array(warps[start..<end]),
                                    interpolation: forceNearest ? .nearest : (interpolation ?? .nearest),
                                    fill: fill ?? 0, erase: forceNearest ? nil : warps[end - 1].erase))
            start = end
        }
        return result
    }

    private init(_ run: [Warp], interpolation: Interpolation, fill: Float, erase: Erasure?) {
        // suffix[i] = warp i composed with all later ones: output coords -> input of warp i.
        var suffix: [(Double, Double, Double, Double, Double, Double)] = Array(repeating: (0, 0, 0, 0, 0, 0), count: run.count)
        let last = run[run.count - 1]
        suffix[run.count - 1] = (last.a, last.b, last.c, last.d, last.e, last.f)
        for i in stride(from: run.count - 2, through: 0, by: -1) {
            let n = suffix[i + 1]
            let w = run[i]
            suffix[i] = w.then(Warp(outputWidth: 0, outputHeight: 0, a: n.0, b: n.1, c: n.2, d: n.3, e: n.4, f: n.5,
                                    interpolation: nil, border: .edge))
        }
        let m = suffix[0]
        outputWidth = last.outputWidth
        outputHeight = last.outputHeight
        (a, b, c, d, e, f) = (Float(m.0), Float(m.1), Float(m.2), Float(m.3), Float(m.4), Float(m.5))
        checks = (1..<run.count).map { i in
            let s = suffix[i]
            return Check(a: Float(s.0), b: Float(s.1), c: Float(s.2), d: Float(s.3), e: Float(s.4), f: Float(s.5),
                         maxX: Float(run[i - 1].outputWidth) - 0.5, maxY: Float(run[i - 1].outputHeight) - 0.5)
        }
        self.interpolation = interpolation
        self.border = run[0].border
        self.fill = fill
        self.erase = erase
    }

    /// Samples `source` (planar, `channels` planes of `width` x `height`) into `output`
    /// (planar, `outputWidth` x `outputHeight`). No allocation.
    func run(source: UnsafePointer<Float>, width: Int, height: Int, channels: Int, output: UnsafeMutablePointer<Float>) {
        let plane = width * height
        let outPlane = outputWidth * outputHeight
        let (ma, mb, mc, md, me, mf) = (a, b, c, d, e, f)
        let fill = self.fill
        let border = self.border
        var borderValue: Float = 0
        var borderKind = 0   // 0 constant, 1 edge, 2 reflect
        switch border {
        case .constant(let v): borderValue = v
        case .edge: borderKind = 1
        case .reflect: borderKind = 2
        }
        let fw = Float(width), fh = Float(height)
        let bilinear = interpolation == .bilinear
        checks.withUnsafeBufferPointer { checks in
            for y in 0..<outputHeight {
                let fy = Float(y)
                let rowX = mb * fy + mc, rowY = me * fy + mf
                for x in 0..<outputWidth {
                    let fx = Float(x)
                    let o = y * outputWidth + x
                    var inside = true
                    for k in checks {
                        let u = k.a * fx + k.b * fy + k.c
                        let v = k.d * fx + k.e * fy + k.f
                        if !(u >= -0.5 && u <= k.maxX && v >= -0.5 && v <= k.maxY) { inside = false; break }
                    }
                    if !inside || width == 0 || height == 0 {
                        for ch in 0..<channels { output[ch * outPlane + o] = fill }
                        continue
                    }
                    var sx = ma * fx + rowX
                    var sy = md * fx + rowY
                    if bilinear {
                        // Keep coordinates in a range where Int conversion is safe; far
                        // outside, constant reads the border value and edge the edge.
                        if borderKind == 0 {
                            if !(sx > -1 && sx < fw && sy > -1 && sy < fh) {
                                for ch in 0..<channels { output[ch * outPlane + o] = borderValue }
                                continue
                            }
                        } else {
                            let limit: Float = 4_194_304
                            sx = sx > -limit ? (sx < limit ? sx : limit) : -limit
                            sy = sy > -limit ? (sy < limit ? sy : limit) : -limit
                        }
                        let x0f = sx.rounded(.down), y0f = sy.rounded(.down)
                        let wx = sx - x0f, wy = sy - y0f
                        let x0 = Int(x0f), y0 = Int(y0f)
                        let w00 = (1 - wx) * (1 - wy), w01 = wx * (1 - wy), w10 = (1 - wx) * wy, w11 = wx * wy
                        if x0 >= 0 && x0 < width - 1 && y0 >= 0 && y0 < height - 1 {
                            let i = y0 * width + x0
                            for ch in 0..<channels {
                                let p = source + ch * plane + i
                                output[ch * outPlane + o] = w00 * p[0] + w01 * p[1] + w10 * p[width] + w11 * p[width + 1]
                            }
                        } else {
                            let xa = Self.tap(x0, width, borderKind), xb = Self.tap(x0 + 1, width, borderKind)
                            let ya = Self.tap(y0, height, borderKind), yb = Self.tap(y0 + 1, height, borderKind)
                            for ch in 0..<channels {
                                let p = source + ch * plane
                                @inline(__always) func read(_ xi: Int, _ yi: Int) -> Float {
                                    xi < 0 || yi < 0 ? borderValue : p[yi * width + xi]
                                }
                                output[ch * outPlane + o] = w00 * read(xa, ya) + w01 * read(xb, ya) + w10 * read(xa, yb) + w11 * read(xb, yb)
                            }
                        }
                    } else {
                        let xr = sx + 0.5, yr = sy + 0.5
                        if borderKind == 0 && !(xr >= 0 && xr < fw && yr >= 0 && yr < fh) {
                            for ch in 0..<channels { output[ch * outPlane + o] = borderValue }
                            continue
                        }
                        let limit: Float = 4_194_304
                        let cx = xr > -limit ? (xr < limit ? xr : limit) : -limit
                        let cy = yr > -limit ? (yr < limit ? yr : limit) : -limit
                        let xi = Self.tap(Int(cx.rounded(.down)), width, borderKind)
                        let yi = Self.tap(Int(cy.rounded(.down)), height, borderKind)
                        let i = yi * width + xi
                        for ch in 0..<channels { output[ch * outPlane + o] = source[ch * plane + i] }
                    }
                }
            }
        }
        if let erase { Self.apply(erase, to: output, width: outputWidth, height: outputHeight, channels: channels) }
    }

    /// Sets `erase`'s rectangle, clipped to the `width` x `height` planes, to its value.
    static func apply(_ erase: Erasure, to output: UnsafeMutablePointer<Float>, width: Int, height: Int, channels: Int) {
        let x0 = max(erase.x, 0), y0 = max(erase.y, 0)
        let x1 = min(erase.x.addingReportingOverflow(erase.width).overflow ? width : erase.x + erase.width, width)
        let y1 = min(erase.y.addingReportingOverflow(erase.height).overflow ? height : erase.y + erase.height, height)
        guard x0 < x1, y0 < y1 else { return }
        for ch in 0..<channels {
            for y in y0..<y1 {
                (output + ch * width * height + y * width + x0).update(repeating: erase.value, count: x1 - x0)
            }
        }
    }

    /// The index an out-of-range tap reads: -1 (the constant) for a constant border, the
    /// clamped index for edge, the mirrored index for reflect.
    @inline(__always)
    static func tap(_ i: Int, _ n: Int, _ kind: Int) -> Int {
        if i >= 0 && i < n { return i }
        switch kind {
        case 0: return -1
        case 1: return i < 0 ? 0 : n - 1
        default:
            if n == 1 { return 0 }
            let period = 2 * (n - 1)
            var j = i % period
            if j < 0 { j += period }
            return j < n ? j : period - j
        }
    }
}

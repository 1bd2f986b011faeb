#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a sample between pixel centres is read.
public enum Interpolation: String, Sendable, CaseIterable {
    /// Weighted mean of the 4 surrounding pixels (OpenCV `INTER_LINEAR`).
    case bilinear
    /// The pixel whose centre is nearest: `floor(x + 0.5)` (halves round up).
    case nearest
}

/// What a sample outside the input reads.
public enum BorderMode: Sendable, Equatable, CustomStringConvertible {
    /// A constant value (OpenCV `BORDER_CONSTANT`); bilinear taps outside the image read it,
    /// so edges blend into it.
    case constant(Float)
    /// The nearest edge pixel (`BORDER_REPLICATE`, NumPy `edge`).
    case edge
    /// Mirrored about the edge pixel, which is not repeated (`BORDER_REFLECT_101`, NumPy and
    /// torchvision `reflect`): index -1 reads 1.
    case reflect

    public var description: String {
        switch self {
        case .constant(let v): return "constant(\(v))"
        case .edge: return "edge"
        case .reflect: return "reflect"
        }
    }
}

/// A rectangle of output pixels that one value overwrites, in every channel, after a
/// ``Warp`` is sampled (``RandomErasing``): columns `x..<x+width`, rows `y..<y+height`,
/// clipped to the image.
public struct Erasure: Sendable, Equatable {
    /// The rectangle's left column and top row.
    public var x: Int, y: Int
    /// The rectangle's size in pixels (0 erases nothing).
    public var width: Int, height: Int
    /// The value the rectangle takes, in the image's units.
    public var value: Float

    /// The rectangle at (`x`, `y`) of `width` x `height` pixels, set to `value`.
    public init(x: Int, y: Int, width: Int, height: Int, value: Float) {
        (self.x, self.y, self.width, self.height, self.value) = (x, y, width, height, value)
    }
}

/// One geometric step: an output size and the affine map from output pixel coordinates
/// to input pixel coordinates (the inverse map `warpAffine` applies, `WARP_INVERSE_MAP`),
/// and optionally an ``Erasure`` of the output.
///
/// Coordinates are pixel centres: pixel (x, y) is at (x, y), column x from the left, row y
/// from the top. Output pixel (x, y) reads the input at
/// `(a x + b y + c, d x + e y + f)` with ``interpolation`` and ``border``; then the
/// ``erase`` rectangle, if any, takes its value.
public struct Warp: Sendable, Equatable {
    /// The output image's width.
    public var outputWidth: Int
    /// The output image's height.
    public var outputHeight: Int
    /// The first row of the map: input x = a·x + b·y + c.
    public var a: Double, b: Double, c: Double
    /// The second row of the map: input y = d·x + e·y + f.
    public var d: Double, e: Double, f: Double
    /// nil for maps that send pixel centres to pixel centres (crops, flips, identity):
    /// such a step is exact with either interpolation and fuses with any.
    public var interpolation: Interpolation?
    /// What samples outside the input read.
    public var border: BorderMode
    /// Output pixels overwritten after sampling (nil: none). An erasing warp ends its
    /// fused run: the steps after it read the erased image.
    public var erase: Erasure?

    /// A warp with the given output size, map, interpolation, border and erasure.
    public init(outputWidth: Int, outputHeight: Int,
                a: Double, b: Double, c: Double, d: Double, e: Double, f: Double,
                interpolation: Interpolation?, border: BorderMode, erase: Erasure? = nil) {
        self.outputWidth = outputWidth
        self.outputHeight = outputHeight
        (self.a, self.b, self.c, self.d, self.e, self.f) = (a, b, c, d, e, f)
        self.interpolation = interpolation
        self.border = border
        self.erase = erase
    }

    /// The identity on a `width` x `height` image.
    public static func identity(width: Int, height: Int) -> Warp {
        Warp(outputWidth: width, outputHeight: height, a: 1, b: 0, c: 0, d: 0, e: 1, f: 0,
             interpolation: nil, border: .constant(0))
    }

    // MARK: The vocabulary for transforms of your own
    //
    // The built-in transforms are made of these; a transform of your own returns one of
    // them (or a composition, ``followed(by:)``) from `warp(width:height:rng:)`.

    /// A translation by whole pixels: output (x, y) reads input (x + dx, y + dy), so the
    /// content moves by (−dx, −dy); the output has `width` x `height` pixels (a crop when
    /// smaller than the input). Exact (no interpolation).
    public static func shift(width: Int, height: Int, dx: Int, dy: Int, border: BorderMode) -> Warp {
        Warp(outputWidth: width, outputHeight: height, a: 1, b: 0, c: Double(dx), d: 0, e: 1, f: Double(dy),
             interpolation: nil, border: border)
    }

    /// A translation by any amount, content moved by (`dx`, `dy`) pixels (right and down
    /// for positive values), the same size: output (x, y) reads input (x − dx, y − dy),
    /// sampled with `interpolation`; uncovered pixels read `fill`. Whole-pixel amounts are
    /// exact.
    public static func translation(width: Int, height: Int, dx: Double, dy: Double,
                                   interpolation: Interpolation = .bilinear, fill: Float = 0) -> Warp {
        let whole = dx == dx.rounded() && dy == dy.rounded()
        return Warp(outputWidth: width, outputHeight: height, a: 1, b: 0, c: -dx, d: 0, e: 1, f: -dy,
                    interpolation: whole ? nil : interpolation, border: .constant(fill))
    }

    /// A zoom by `factor` (> 1 enlarges) about the image centre, the same size
    /// (``Scale``'s map; OpenCV's `getRotationMatrix2D(center, 0, factor)`).
    public static func scale(width: Int, height: Int, factor: Double,
                             interpolation: Interpolation = .bilinear, fill: Float = 0) -> Warp {
        rotation(width: width, height: height, degrees: 0, scale: factor, interpolation: interpolation, fill: fill)
    }

    /// The map of OpenCV's `warpAffine(src, getRotationMatrix2D(center, degrees, scale))`,
    /// inverted to read: a rotation by `degrees` (positive turns counter-clockwise on
    /// screen, y pointing down) and a zoom by `scale` about `((w-1)/2, (h-1)/2)`, output
    /// the same size. Output (X, Y) reads input
    /// `cx + (cos t (X-cx) - sin t (Y-cy)) / s`, `cy + (sin t (X-cx) + cos t (Y-cy)) / s`.
    public static func rotation(width: Int, height: Int, degrees: Double, scale: Double = 1,
                                interpolation: Interpolation = .bilinear, fill: Float = 0) -> Warp {
        let (sine, cosine) = sinCos(degrees: degrees)
        let cx = Double(width - 1) / 2, cy = Double(height - 1) / 2
        let a = cosine / scale, b = -sine / scale, d = sine / scale, e = cosine / scale
        return Warp(outputWidth: width, outputHeight: height,
                    a: a, b: b, c: cx - a * cx - b * cy, d: d, e: e, f: cy - d * cx - e * cy,
                    interpolation: interpolation, border: .constant(fill))
    }

    /// The identity on a `width` x `height` image with `erasure` applied: what
    /// ``RandomErasing`` returns when it erases.
    public static func erasing(width: Int, height: Int, _ erasure: Erasure) -> Warp {
        Warp(outputWidth: width, outputHeight: height, a: 1, b: 0, c: 0, d: 0, e: 1, f: 0,
             interpolation: nil, border: .constant(0), erase: erasure)
    }

    /// This warp and then `next` as one warp (one sampling instead of two): `next`'s
    /// output size, its border, its erasure, and the interpolation of whichever step needs
    /// one (`next`'s first). `next` must expect this warp's output size as its input, and
    /// this warp must not erase (an erasure in the middle is not an affine map; a
    /// ``TransformPipeline`` keeps such steps apart itself).
    public func followed(by next: Warp) -> Warp {
        precondition(erase == nil, "Warp.followed(by:): a warp with an erasure cannot be fused with the next one")
        let m = then(next)
        return Warp(outputWidth: next.outputWidth, outputHeight: next.outputHeight, a: m.a, b: m.b, c: m.c, d: m.d, e: m.e, f: m.f,
                    interpolation: next.interpolation ?? interpolation, border: next.border, erase: next.erase)
    }

    /// The map composed with `next` applied after it: first `self`, then `next`
    /// (`next`'s output reads `next`'s input, which is `self`'s output).
    func then(_ next: Warp) -> (a: Double, b: Double, c: Double, d: Double, e: Double, f: Double) {
        // p_in = S(N(p_out)): S applied to N's affine map.
        (a * next.a + b * next.d, a * next.b + b * next.e, a * next.c + b * next.f + c,
         d * next.a + e * next.d, d * next.b + e * next.e, d * next.c + e * next.f + f)
    }
}

/// sin and cos of an angle in degrees, exact at multiples of 90 (so a quarter turn maps
/// pixel centres to pixel centres).
func sinCos(degrees: Double) -> (Double, Double) {
    let quarter = degrees / 90
    if quarter == quarter.rounded(), abs(quarter) < 1e15 {
        switch ((Int(quarter) % 4) + 4) % 4 {
        case 0: return (0, 1)
        case 1: return (1, 0)
        case 2: return (0, -1)
        default: return (-1, 0)
        }
    }
    let radians = degrees * .pi / 180
    return (sin(radians), cos(radians))
}

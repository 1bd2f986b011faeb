#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in data or pixel coordinates.
public struct Point: Sendable, Equatable {
    /// The horizontal coordinate.
    public var x: Double
    /// The vertical coordinate.
    public var y: Double
    /// The point (x, y).
    public init(x: Double, y: Double) { self.x = x; self.y = y }
    /// The point (x, y), without labels.
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

/// Horizontal alignment of a text element (`text-anchor`).
public enum TextAnchor: String, Sendable {
    /// The text starts at the point (left-aligned).
    case start
    /// The text is centred on the point.
    case middle
    /// The text ends at the point (right-aligned).
    case end
}

/// The low-level builder every chart draws into: a fixed-size canvas (pixels, origin at the
/// top left, y down) that collects SVG elements and renders one standalone document.
///
/// All text and attribute values pass through ``SVGDocument/escape(_:)``; numbers are
/// written with at most two decimals (``SVGDocument/number(_:)``), and elements with a
/// non-finite coordinate are dropped, so the output is always well-formed XML.
public struct SVGDocument: Sendable {
    /// The canvas width in pixels.
    public let width: Double
    /// The canvas height in pixels.
    public let height: Double
    private var elements: [String] = []
    private var openGroups = 0
    private var clipCount = 0

    /// A canvas of `width` × `height` pixels, filled with `background` (nil: transparent).
    public init(width: Double, height: Double, background: String? = "white") {
        self.width = width
        self.height = height
        if let background {
            rect(x: 0, y: 0, width: width, height: height, fill: background)
        }
    }

    /// Escapes the five XML special characters (`& < > " '`) and drops characters XML 1.0
    /// does not allow (control characters other than tab, newline and carriage return).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                let v = scalar.value
                if v < 0x20 && v != 0x9 && v != 0xA && v != 0xD { continue }
                if v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate as text: rounded to two decimals, trailing zeros removed, `-0` as `0`.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let r = (value * 100).rounded() / 100
        if r == 0 { return "0" }
        if abs(r) < 1e15, r == r.rounded() { return String(Int64(r)) }
        if abs(r) < 1e15 {
            let scaled = Int64((abs(r) * 100).rounded())
            let whole = scaled / 100, frac = scaled % 100
            var fracText = frac < 10 ? "0\(frac)" : "\(frac)"
            if fracText.hasSuffix("0") { fracText.removeLast() }
            return (r < 0 ? "-" : "") + "\(whole).\(fracText)"
        }
        return "\(r)"
    }

    private static func attribute(_ name: String, _ value: String) -> String {
        " \(name)=\"\(escape(value))\""
    }

    private static func finite(_ values: Double...) -> Bool { values.allSatisfy(\.isFinite) }

    /// A straight line.
    public mutating func line(
        x1: Double, y1: Double, x2: Double, y2: Double,
        stroke: String = "black", strokeWidth: Double = 1, dash: String? = nil, opacity: Double = 1
    ) {
        guard Self.finite(x1, y1, x2, y2) else { return }
        var e = "<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\""
        e += Self.attribute("stroke", stroke) + " stroke-width=\"\(Self.number(strokeWidth))\""
        if let dash { e += Self.attribute("stroke-dasharray", dash) }
        if opacity < 1 { e += " stroke-opacity=\"\(Self.number(opacity))\"" }
        elements.append(e + "/>")
    }

    /// An open polyline through `points`; a non-finite point splits it into pieces.
    public mutating func polyline(
        _ points: [Point], stroke: String, strokeWidth: Double = 1.5, dash: String? = nil, opacity: Double = 1
    ) {
        var pieces: [[Point]] = [[]]
        for p in points {
            if p.x.isFinite && p.y.isFinite { pieces[pieces.count - 1].append(p) } else if !pieces[pieces.count - 1].isEmpty { pieces.append([]) }
        }
        for piece in pieces where piece.count >= 2 {
            var e = "<polyline fill=\"none\" points=\""
            e += piece.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
            e += "\"" + Self.attribute("stroke", stroke) + " stroke-width=\"\(Self.number(strokeWidth))\""
            e += " stroke-linejoin=\"round\" stroke-linecap=\"round\""
            if let dash { e += Self.attribute("stroke-dasharray", dash) }
            if opacity < 1 { e += " stroke-opacity=\"\(Self.number(opacity))\"" }
            elements.append(e + "/>")
        }
    }

    /// Disjoint straight segments drawn as one `<path>` (used for contour lines).
    public mutating func segments(
        _ segments: [(Point, Point)], stroke: String, strokeWidth: Double = 1, opacity: Double = 1
    ) {
        var d = ""
        for (a, b) in segments where Self.finite(a.x, a.y, b.x, b.y) {
            d += "M\(Self.number(a.x)) \(Self.number(a.y))L\(Self.number(b.x)) \(Self.number(b.y))"
        }
        guard !d.isEmpty else { return }
        var e = "<path fill=\"none\" d=\"\(d)\"" + Self.attribute("stroke", stroke)
        e += " stroke-width=\"\(Self.number(strokeWidth))\" stroke-linecap=\"round\""
        if opacity < 1 { e += " stroke-opacity=\"\(Self.number(opacity))\"" }
        elements.append(e + "/>")
    }

    /// A rectangle.
    public mutating func rect(
        x: Double, y: Double, width: Double, height: Double,
        fill: String = "none", stroke: String? = nil, strokeWidth: Double = 1, opacity: Double = 1
    ) {
        guard Self.finite(x, y, width, height), width >= 0, height >= 0 else { return }
        var e = "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\""
        e += Self.attribute("fill", fill)
        if let stroke { e += Self.attribute("stroke", stroke) + " stroke-width=\"\(Self.number(strokeWidth))\"" }
        if opacity < 1 { e += " fill-opacity=\"\(Self.number(opacity))\"" }
        elements.append(e + "/>")
    }

    /// A circle.
    public mutating func circle(
        cx: Double, cy: Double, r: Double, fill: String, stroke: String? = nil, strokeWidth: Double = 1, opacity: Double = 1
    ) {
        guard Self.finite(cx, cy, r), r >= 0 else { return }
        var e = "<circle cx=\"\(Self.number(cx))\" cy=\"\(Self.number(cy))\" r=\"\(Self.number(r))\"" + Self.attribute("fill", fill)
        if let stroke { e += Self.attribute("stroke", stroke) + " stroke-width=\"\(Self.number(strokeWidth))\"" }
        if opacity < 1 { e += " fill-opacity=\"\(Self.number(opacity))\"" }
        elements.append(e + "/>")
    }

    /// Text at (x, y) (the baseline), optionally rotated by `rotation` degrees about that
    /// point. `halo` draws a white outline under the glyphs so text stays readable over lines.
    public mutating func text(
        _ text: String, x: Double, y: Double, size: Double = 12, anchor: TextAnchor = .start,
        fill: String = "#222", bold: Bool = false, rotation: Double = 0, halo: Bool = false
    ) {
        guard Self.finite(x, y) else { return }
        var e = "<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\""
        e += " text-anchor=\"\(anchor.rawValue)\"" + Self.attribute("fill", fill)
        if bold { e += " font-weight=\"bold\"" }
        if rotation != 0 {
            e += " transform=\"rotate(\(Self.number(rotation)) \(Self.number(x)) \(Self.number(y)))\""
        }
        if halo { e += " stroke=\"white\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"" }
        elements.append(e + ">\(Self.escape(text))</text>")
    }

    /// A marker of `shape` centred on (x, y).
    public mutating func marker(_ shape: MarkerShape, x: Double, y: Double, size: Double = 4, color: String) {
        switch shape {
        case .circle: circle(cx: x, cy: y, r: size, fill: color, stroke: "white", strokeWidth: 0.8)
        case .square: rect(x: x - size, y: y - size, width: 2 * size, height: 2 * size, fill: color, stroke: "white", strokeWidth: 0.8)
        case .cross:
            line(x1: x - size, y1: y - size, x2: x + size, y2: y + size, stroke: color, strokeWidth: 2)
            line(x1: x - size, y1: y + size, x2: x + size, y2: y - size, stroke: color, strokeWidth: 2)
        case .diamond, .triangle:
            guard Self.finite(x, y, size) else { return }
            let pts: [Point] = shape == .diamond
                ? [Point(x, y - size * 1.3), Point(x + size * 1.3, y), Point(x, y + size * 1.3), Point(x - size * 1.3, y)]
                : [Point(x, y - size * 1.3), Point(x + size * 1.2, y + size), Point(x - size * 1.2, y + size)]
            let p = pts.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
            elements.append("<polygon points=\"\(p)\"" + Self.attribute("fill", color) + " stroke=\"white\" stroke-width=\"0.8\"/>")
        }
    }

    /// Starts a group whose drawing is clipped to a rectangle; close it with ``endGroup()``
    /// (``render()`` closes groups left open).
    public mutating func beginClippedGroup(x: Double, y: Double, width: Double, height: Double) {
        clipCount += 1
        let id = "clip\(clipCount)"
        elements.append("<defs><clipPath id=\"\(id)\"><rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(max(0, width)))\" height=\"\(Self.number(max(0, height)))\"/></clipPath></defs>")
        elements.append("<g clip-path=\"url(#\(id))\">")
        openGroups += 1
    }

    /// Ends the innermost group started by ``beginClippedGroup(x:y:width:height:)``.
    public mutating func endGroup() {
        guard openGroups > 0 else { return }
        elements.append("</g>")
        openGroups -= 1
    }

    /// The standalone document: XML declaration, `<svg>` root with the SVG namespace,
    /// a sans-serif font, then the elements in drawing order.
    public func render() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\""
        out += " viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
        for e in elements { out += e; out += "\n" }
        for _ in 0..<openGroups { out += "</g>\n" }
        out += "</svg>\n"
        return out
    }

    /// Writes ``render()`` to `path` atomically (see ``writeAtomically(_:to:)``).
    public func write(to path: String) throws { try writeAtomically(render(), to: path) }
}

/// Marker shapes for series points and path steps.
public enum MarkerShape: String, Sendable, CaseIterable {
    /// A filled circle of radius `size`.
    case circle
    /// A filled square of side 2·`size`.
    case square
    /// A filled diamond reaching 1.3·`size` from the centre.
    case diamond
    /// A filled triangle pointing up.
    case triangle
    /// Two crossed strokes (an X).
    case cross
}

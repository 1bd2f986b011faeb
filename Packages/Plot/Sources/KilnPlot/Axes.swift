#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A map from a data interval to a pixel interval, linear or base-10 logarithmic.
public struct Scale: Sendable, Equatable {
    /// The data value at `pixelStart`.
    public var lower: Double
    /// The data value at `pixelEnd`.
    public var upper: Double
    /// The pixel coordinate of `lower`.
    public var pixelStart: Double
    /// The pixel coordinate of `upper` (smaller than `pixelStart` for a y axis, which points
    /// down in SVG).
    public var pixelEnd: Double
    /// Whether values map by log10 (then both bounds must be greater than 0).
    public var isLogarithmic: Bool

    /// A scale from `lower...upper` onto `pixelStart...pixelEnd`, linear unless `isLogarithmic`.
    public init(lower: Double, upper: Double, pixelStart: Double, pixelEnd: Double, isLogarithmic: Bool = false) {
        self.lower = lower; self.upper = upper
        self.pixelStart = pixelStart; self.pixelEnd = pixelEnd
        self.isLogarithmic = isLogarithmic
    }

    /// The pixel of `value` (non-finite for values a log scale cannot show).
    public func callAsFunction(_ value: Double) -> Double {
        let t: Double
        if isLogarithmic {
            guard value > 0 else { return .nan }
            t = (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        } else {
            t = (value - lower) / (upper - lower)
        }
        return pixelStart + t * (pixelEnd - pixelStart)
    }
}

/// One axis: its domain, ticks and title.
struct AxisSpec {
    var lower: Double
    var upper: Double
    var ticks: [Double]
    var step: Double?
    var isLogarithmic: Bool

    /// A linear axis over the data range widened to nice ticks (`padToTicks`), or exactly
    /// the range otherwise.
    static func linear(_ lo: Double, _ hi: Double, count: Int = 6, padToTicks: Bool = true) -> AxisSpec {
        var lo = lo, hi = hi
        if !(lo.isFinite && hi.isFinite) { lo = 0; hi = 1 }
        if padToTicks || !(hi > lo) { (lo, hi) = Ticks.niceDomain(lower: lo, upper: hi, count: count) }
        return AxisSpec(lower: lo, upper: hi, ticks: Ticks.linear(lower: lo, upper: hi, count: count),
                        step: Ticks.step(lower: lo, upper: hi, count: count), isLogarithmic: false)
    }

    static func logarithmic(_ lo: Double, _ hi: Double) -> AxisSpec {
        let (a, b) = Ticks.logDomain(lower: lo, upper: hi)
        return AxisSpec(lower: a, upper: b, ticks: Ticks.logarithmic(lower: a, upper: b), step: nil, isLogarithmic: true)
    }
}

/// A plot area inside a document with its two scales; draws grid, axes, ticks and titles.
struct Frame {
    var left: Double, top: Double, width: Double, height: Double
    var x: AxisSpec, y: AxisSpec

    var xScale: Scale { Scale(lower: x.lower, upper: x.upper, pixelStart: left, pixelEnd: left + width, isLogarithmic: x.isLogarithmic) }
    var yScale: Scale { Scale(lower: y.lower, upper: y.upper, pixelStart: top + height, pixelEnd: top, isLogarithmic: y.isLogarithmic) }

    func pixel(_ p: Point) -> Point { Point(xScale(p.x), yScale(p.y)) }

    func contains(_ p: Point) -> Bool {
        p.x >= left - 0.5 && p.x <= left + width + 0.5 && p.y >= top - 0.5 && p.y <= top + height + 0.5
    }

    func drawBackground(_ doc: inout SVGDocument, grid: Bool = true) {
        doc.rect(x: left, y: top, width: width, height: height, fill: "#fbfbfb")
        guard grid else { return }
        for t in x.ticks { let px = xScale(t); doc.line(x1: px, y1: top, x2: px, y2: top + height, stroke: "#e3e3e3") }
        for t in y.ticks { let py = yScale(t); doc.line(x1: left, y1: py, x2: left + width, y2: py, stroke: "#e3e3e3") }
    }

    func drawAxes(_ doc: inout SVGDocument, xTitle: String?, yTitle: String?, fontSize: Double = 11, xLabels: Bool = true, yLabels: Bool = true) {
        doc.rect(x: left, y: top, width: width, height: height, fill: "none", stroke: "#555", strokeWidth: 1)
        let bottom = top + height
        for t in x.ticks {
            let px = xScale(t)
            doc.line(x1: px, y1: bottom, x2: px, y2: bottom + 4, stroke: "#555")
            if xLabels { doc.text(Ticks.label(t, step: x.step), x: px, y: bottom + 6 + fontSize, size: fontSize, anchor: .middle, fill: "#333") }
        }
        for t in y.ticks {
            let py = yScale(t)
            doc.line(x1: left - 4, y1: py, x2: left, y2: py, stroke: "#555")
            if yLabels { doc.text(Ticks.label(t, step: y.step), x: left - 7, y: py + fontSize * 0.35, size: fontSize, anchor: .end, fill: "#333") }
        }
        if let xTitle, !xTitle.isEmpty {
            doc.text(xTitle, x: left + width / 2, y: bottom + 14 + 2 * fontSize, size: fontSize + 1, anchor: .middle)
        }
        if let yTitle, !yTitle.isEmpty {
            let maxLabel = y.ticks.map { Ticks.label($0, step: y.step).count }.max() ?? 1
            let px = left - 14 - Double(maxLabel) * fontSize * 0.6
            doc.text(yTitle, x: px, y: top + height / 2, size: fontSize + 1, anchor: .middle, rotation: -90)
        }
    }
}

/// One legend entry.
struct LegendEntry {
    var name: String
    var color: String
    var marker: MarkerShape?
    var dash: String? = nil
    var line = true
}

enum Legend {
    /// Approximate width of `text` at `size` px (Helvetica averages ~0.58 em per glyph).
    static func textWidth(_ text: String, size: Double) -> Double { Double(text.count) * size * 0.58 }

    static func width(_ entries: [LegendEntry], size: Double = 12) -> Double {
        (entries.map { textWidth($0.name, size: size) }.max() ?? 0) + 46
    }

    /// Draws a boxed legend with its top-left corner at (x, y).
    static func draw(_ doc: inout SVGDocument, _ entries: [LegendEntry], x: Double, y: Double, size: Double = 12) {
        guard !entries.isEmpty else { return }
        let row = size * 1.6
        doc.rect(x: x, y: y, width: width(entries, size: size), height: Double(entries.count) * row + 8,
                 fill: "white", stroke: "#bbb", opacity: 0.9)
        for (i, e) in entries.enumerated() {
            let cy = y + 4 + row * (Double(i) + 0.5)
            if e.line { doc.line(x1: x + 8, y1: cy, x2: x + 34, y2: cy, stroke: e.color, strokeWidth: 2.2, dash: e.dash) }
            if let m = e.marker { doc.marker(m, x: x + 21, y: cy, size: 3.5, color: e.color) }
            doc.text(e.name, x: x + 40, y: cy + size * 0.35, size: size)
        }
    }
}

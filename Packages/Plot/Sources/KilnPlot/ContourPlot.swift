#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A contour plot of a function of two variables with paths drawn over it (e.g. the steps
/// of several optimizers from the same start).
///
/// ```swift
/// let grid = Grid(xRange: -10...10, yRange: -5...5) { x, y in x * x / 20 + y * y }
/// var plot = ContourPlot(title: "f(x, y) = x²/20 + y²", grid: grid)
/// plot.paths.append(.init(name: "sgd(lr=0.95)", points: steps))
/// try plot.write(to: "paths.svg")
/// ```
/// Contour lines come from ``MarchingSquares``; levels are ``Levels/automatic(count:logarithmic:)``
/// by default (1-2-5 × 10ᵏ on a log scale for functions ≥ 0, nice linear steps otherwise),
/// every `labelEvery`-th level carries its value. Paths are clipped to the plot area.
public struct ContourPlot: Sendable {
    /// How the contour levels are chosen.
    public enum Levels: Sendable, Equatable {
        /// About `count` levels. `logarithmic` nil: logarithmic when every grid value is ≥ 0.
        case automatic(count: Int, logarithmic: Bool?)
        /// Exactly these levels.
        case explicit([Double])
    }

    /// A path of points (an optimizer's iterates) drawn as a polyline with a marker at
    /// every point.
    public typealias Path = PointSeries

    /// A labelled point (e.g. the minimum), drawn as a cross.
    public struct Mark: Sendable {
        /// Where the cross is drawn, in data coordinates.
        public var point: Point
        /// The text beside it.
        public var label: String
        /// A mark at `point` labelled `label`.
        public init(point: Point, label: String) { self.point = point; self.label = label }
    }

    /// The title above the plot (empty: none).
    public var title: String
    /// The x axis title (default "x").
    public var xLabel: String
    /// The y axis title (default "y").
    public var yLabel: String
    /// The sampled function whose contours are drawn.
    public var grid: Grid
    /// The contour levels (default: about 10, chosen automatically).
    public var levels: Levels
    /// Every n-th level carries its value as a label (default 2).
    public var labelEvery: Int
    /// The paths drawn over the contours.
    public var paths: [Path]
    /// The labelled points drawn over the contours.
    public var marks: [Mark]
    /// The picture's width in pixels (default 860).
    public var width: Double
    /// The picture's height in pixels (default 500).
    public var height: Double

    /// A contour plot of `grid`; every setting but the grid has a default.
    public init(title: String = "", xLabel: String = "x", yLabel: String = "y", grid: Grid,
                levels: Levels = .automatic(count: 10, logarithmic: nil), labelEvery: Int = 2,
                paths: [Path] = [], marks: [Mark] = [], width: Double = 860, height: Double = 500) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.grid = grid; self.levels = levels
        self.labelEvery = labelEvery; self.paths = paths; self.marks = marks; self.width = width; self.height = height
    }

    /// The contour levels actually drawn, ascending.
    public var contourLevels: [Double] {
        let finite = grid.values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max(), hi > lo else { return [] }
        switch levels {
        case .explicit(let values): return values.filter(\.isFinite).sorted()
        case .automatic(let count, let logarithmic):
            let count = max(1, count)
            if logarithmic ?? (lo >= 0), hi > 0 {
                // 1-2-5 × 10ᵏ from hi·10^(−count/3) (or the minimum, if higher) to hi.
                let bottom = max(lo > 0 ? lo : 0, hi * pow(10, -Double(count) / 3))
                return Ticks.logarithmic(lower: max(bottom, .leastNormalMagnitude), upper: hi, multiples: [1, 2, 5]).filter { $0 > lo && $0 < hi }
            }
            return Ticks.linear(lower: lo, upper: hi, count: count).filter { $0 > lo && $0 < hi }
        }
    }

    /// The plot as a standalone SVG document.
    public func svg() -> String { document().render() }
    /// Writes the SVG to `path` atomically (a temporary file renamed into place); throws
    /// `PlotWriteError`.
    public func write(to path: String) throws { try writeAtomically(svg(), to: path) }

    /// The plot drawn into a new canvas (to stack it with others or add elements).
    public func document() -> SVGDocument {
        let entries = paths.enumerated().map { i, p in LegendEntry(name: p.name, color: p.color ?? Palette.color(i), marker: p.marker) }
        let legendWidth = entries.isEmpty ? 0 : Legend.width(entries) + 16
        let top = title.isEmpty ? 20.0 : 46.0
        let x = AxisSpec.linear(grid.xRange.lowerBound, grid.xRange.upperBound, count: 10, padToTicks: false)
        let y = AxisSpec.linear(grid.yRange.lowerBound, grid.yRange.upperBound, count: 6, padToTicks: false)
        let frame = Frame(left: 60, top: top, width: width - 60 - 20 - legendWidth, height: height - top - 56, x: x, y: y)
        var doc = SVGDocument(width: width, height: height)
        if !title.isEmpty { doc.text(title, x: width / 2, y: 28, size: 16, anchor: .middle, bold: true) }
        frame.drawBackground(&doc, grid: false)

        // Contour lines, light to dark with the level.
        let levels = contourLevels
        var labels: [(String, Point)] = []
        doc.beginClippedGroup(x: frame.left, y: frame.top, width: frame.width, height: frame.height)
        for (i, level) in levels.enumerated() {
            let t = levels.count > 1 ? Double(i) / Double(levels.count - 1) : 0.5
            let color = mix("#9ecae1", "#08306b", t)
            let segments = MarchingSquares.segments(grid, level: level).map { (frame.pixel($0.0), frame.pixel($0.1)) }
            doc.segments(segments, stroke: color, strokeWidth: 1, opacity: 0.85)
            if labelEvery > 0, (levels.count - 1 - i) % labelEvery == 0,
               let spot = labelSpot(segments, frame: frame, avoiding: labels.map(\.1) + marks.map { frame.pixel($0.point) }) {
                labels.append((Ticks.label(level, step: level), spot))
            }
        }
        for m in marks {
            let p = frame.pixel(m.point)
            doc.marker(.cross, x: p.x, y: p.y, size: 5, color: "#333")
        }
        for (i, path) in paths.enumerated() {
            let color = path.color ?? Palette.color(i)
            let pixels = path.points.map(frame.pixel)
            doc.polyline(pixels, stroke: color, strokeWidth: 1.8, opacity: 0.95)
            for p in pixels where p.x.isFinite && p.y.isFinite && frame.contains(p) {
                doc.marker(path.marker, x: p.x, y: p.y, size: 3.2, color: color)
            }
        }
        doc.endGroup()
        for (text, p) in labels { doc.text(text, x: p.x, y: p.y + 3.5, size: 10, anchor: .middle, fill: "#08306b", halo: true) }
        for m in marks {
            let p = frame.pixel(m.point)
            if frame.contains(p) { doc.text(m.label, x: p.x + 8, y: p.y + 18, size: 11, fill: "#333", halo: true) }
        }
        frame.drawAxes(&doc, xTitle: xLabel, yTitle: yLabel)
        Legend.draw(&doc, entries, x: frame.left + frame.width + 14, y: frame.top)
        return doc
    }

    /// Where to write a level's value: the segment midpoint farthest along the direction
    /// up-and-right from the plot centre (nested contours get labels on one diagonal),
    /// kept 12 px inside the frame and clear of the labels and marks already placed
    /// (no label when there is no room).
    private func labelSpot(_ segments: [(Point, Point)], frame: Frame, avoiding taken: [Point]) -> Point? {
        var best: Point?, bestScore = -Double.infinity
        let cx = frame.left + frame.width / 2, cy = frame.top + frame.height / 2
        for (a, b) in segments {
            let m = Point((a.x + b.x) / 2, (a.y + b.y) / 2)
            guard m.x > frame.left + 16, m.x < frame.left + frame.width - 16, m.y > frame.top + 12, m.y < frame.top + frame.height - 12 else { continue }
            guard taken.allSatisfy({ abs($0.x - m.x) > 30 || abs($0.y - m.y) > 16 }) else { continue }
            let score = 0.45 * (m.x - cx) / frame.width - 0.9 * (m.y - cy) / frame.height
            if score > bestScore { bestScore = score; best = m }
        }
        return best
    }
}

/// Linear mix of two `#rrggbb` colours (t = 0: `a`, 1: `b`).
func mix(_ a: String, _ b: String, _ t: Double) -> String {
    func rgb(_ s: String) -> [Double] {
        let hex = Array(s.utf8.dropFirst())
        func h(_ c: UInt8) -> Int { c <= 57 ? Int(c) - 48 : (Int(c) | 0x20) - 87 }
        return stride(from: 0, to: 6, by: 2).map { Double(h(hex[$0]) * 16 + h(hex[$0 + 1])) }
    }
    let x = rgb(a), y = rgb(b)
    let digits = Array("0123456789abcdef")
    var out = "#"
    for k in 0..<3 {
        let v = max(0, min(255, Int((x[k] + (y[k] - x[k]) * t).rounded())))
        out.append(digits[v / 16]); out.append(digits[v % 16])
    }
    return out
}

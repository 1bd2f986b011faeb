#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A scatter plot of point groups (e.g. learning rate against dev accuracy per search
/// round), optionally with a base-10 logarithmic x and/or y axis (points ≤ 0 on a log axis
/// are left out).
///
/// ```swift
/// var plot = ScatterPlot(title: "random search", xLabel: "learning rate", yLabel: "dev accuracy", logX: true)
/// plot.groups.append(.init(name: "round 1", points: trials.map { Point($0.lr, $0.accuracy) }))
/// try plot.write(to: "search.svg")
/// ```
public struct ScatterPlot: Sendable {
    /// A set of points with one colour, marker and legend entry.
    public typealias Group = PointSeries

    /// A shaded x range behind the points, labelled at its foot (e.g. the learning-rate
    /// range a finer search round sampled). Parts outside the x axis are cut off.
    public struct Band: Sendable {
        /// The left end of the range, in data coordinates.
        public var lower: Double
        /// The right end of the range, in data coordinates.
        public var upper: Double
        /// The text at the band's foot.
        public var label: String
        /// An SVG colour, drawn translucent.
        public var color: String
        /// A band from `lower` to `upper` labelled `label`.
        public init(lower: Double, upper: Double, label: String, color: String = "#1f77b4") {
            self.lower = lower; self.upper = upper; self.label = label; self.color = color
        }
    }

    /// The title above the plot (empty: none).
    public var title: String
    /// The x axis title.
    public var xLabel: String
    /// The y axis title.
    public var yLabel: String
    /// The point groups, drawn in order.
    public var groups: [Group]
    /// Shaded x ranges drawn under the points (none by default).
    public var bands: [Band] = []
    /// Whether the x axis is base-10 logarithmic (points with x ≤ 0 are left out).
    public var logX: Bool
    /// Whether the y axis is base-10 logarithmic (points with y ≤ 0 are left out).
    public var logY: Bool
    /// The picture's width in pixels.
    public var width: Double
    /// The picture's height in pixels.
    public var height: Double

    /// A scatter plot; every setting has a default, groups are usually appended later.
    public init(title: String = "", xLabel: String = "", yLabel: String = "", groups: [Group] = [],
                logX: Bool = false, logY: Bool = false, width: Double = 720, height: Double = 440) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.groups = groups
        self.logX = logX; self.logY = logY; self.width = width; self.height = height
    }

    /// The plot as a standalone SVG document.
    public func svg() -> String { document().render() }
    /// Writes the SVG to `path` atomically (a temporary file renamed into place); throws
    /// `PlotWriteError`.
    public func write(to path: String) throws { try writeAtomically(svg(), to: path) }

    private func shown(_ p: Point) -> Bool {
        p.x.isFinite && p.y.isFinite && (!logX || p.x > 0) && (!logY || p.y > 0)
    }

    /// The plot drawn into a new canvas (to stack it with others or add elements).
    public func document() -> SVGDocument {
        let pts = groups.flatMap(\.points).filter(shown)
        let xs = pts.map(\.x), ys = pts.map(\.y)
        // Points keep a margin from the frame: 4% of the range (a factor on log axes).
        func axis(_ v: [Double], log: Bool, count: Int) -> AxisSpec {
            guard let lo = v.min(), let hi = v.max() else { return log ? .logarithmic(1e-3, 1) : .linear(0, 1, count: count) }
            if log {
                let f = hi > lo ? pow(hi / lo, 0.04) : 1.5
                return .logarithmic(lo / f, hi * f)
            }
            let pad = hi > lo ? (hi - lo) * 0.04 : max(abs(lo) * 0.1, 1)
            return .linear(lo - pad, hi + pad, count: count)
        }
        let x = axis(xs, log: logX, count: 7), y = axis(ys, log: logY, count: 6)
        let entries = groups.enumerated().map { i, g in LegendEntry(name: g.name, color: g.color ?? Palette.color(i), marker: g.marker, line: false) }
        let legendWidth = entries.isEmpty ? 0 : Legend.width(entries) + 16
        let top = title.isEmpty ? 20.0 : 46.0
        let frame = Frame(left: 72, top: top, width: width - 72 - 20 - legendWidth, height: height - top - 56, x: x, y: y)
        var doc = SVGDocument(width: width, height: height)
        if !title.isEmpty { doc.text(title, x: width / 2, y: 28, size: 16, anchor: .middle, bold: true) }
        frame.drawBackground(&doc)
        for (k, band) in bands.enumerated() where band.upper > band.lower {
            let lo = max(band.lower, x.lower), hi = min(band.upper, x.upper)
            guard hi > lo, !logX || lo > 0 else { continue }
            let x0 = frame.xScale(lo), x1 = frame.xScale(hi)
            doc.rect(x: x0, y: frame.top, width: x1 - x0, height: frame.height, fill: band.color, opacity: 0.12)
            // Labels sit at the bottom, where accuracy-like scores leave room.
            doc.text(band.label, x: (x0 + x1) / 2, y: frame.top + frame.height - 8 - 14 * Double(k % 2), size: 10, anchor: .middle, fill: band.color)
        }
        for (i, g) in groups.enumerated() {
            let color = g.color ?? Palette.color(i)
            for p in g.points where shown(p) {
                let q = frame.pixel(p)
                doc.marker(g.marker, x: q.x, y: q.y, size: 3.5, color: color)
            }
        }
        frame.drawAxes(&doc, xTitle: xLabel, yTitle: yLabel)
        Legend.draw(&doc, entries, x: frame.left + frame.width + 14, y: frame.top)
        return doc
    }
}

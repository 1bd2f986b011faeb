/// Counts of values in equal-width bins over `lower..<upper` (the last bin includes `upper`).
/// Values outside the range and non-finite values are not counted (``ignored`` says how many).
public struct Histogram: Sendable, Equatable {
    /// The left edge of the first bin.
    public let lower: Double
    /// The right edge of the last bin.
    public let upper: Double
    /// The number of values in each bin, left to right.
    public let counts: [Int]
    /// Values left out: outside `lower...upper` or not finite.
    public let ignored: Int

    /// `bins` ≥ 1 bins; `range` nil: the finite values' minimum and maximum (± 0.5 when equal).
    public init(_ values: [Double], bins: Int = 30, range: ClosedRange<Double>? = nil) {
        let finite = values.filter(\.isFinite)
        var lo = range?.lowerBound ?? finite.min() ?? 0, hi = range?.upperBound ?? finite.max() ?? 1
        if !(hi > lo) { lo -= 0.5; hi += 0.5 }
        let n = max(1, bins)
        var counts = [Int](repeating: 0, count: n)
        var ignored = values.count - finite.count
        let scale = Double(n) / (hi - lo)
        for v in finite {
            if v < lo || v > hi { ignored += 1; continue }
            counts[min(n - 1, Int((v - lo) * scale))] += 1
        }
        self.lower = lo; self.upper = hi; self.counts = counts; self.ignored = ignored
    }

    /// The width of one bin, (upper − lower) / bins.
    public var binWidth: Double { (upper - lower) / Double(counts.count) }
}

/// A grid of histogram panels (e.g. activations per layer per initializer), each with its
/// own title; x axes shared across all panels (`sharedX`, default) or per panel, y axes
/// (counts as a fraction of the panel's values) shared or per panel.
///
/// ```swift
/// var grid = HistogramGrid(title: "activations", columns: 5)
/// for (i, layer) in activations.enumerated() { grid.panels.append(.init(title: "layer \(i + 1)", values: layer)) }
/// try grid.write(to: "hist.svg")
/// ```
public struct HistogramGrid: Sendable {
    /// One panel: a title and the values to count.
    public struct Panel: Sendable {
        /// The panel's title.
        public var title: String
        /// The values counted into the panel's histogram.
        public var values: [Double]
        /// An SVG colour; nil: the palette colour of the panel's index.
        public var color: String?
        /// A panel titled `title` of `values`.
        public init(title: String, values: [Double], color: String? = nil) { self.title = title; self.values = values; self.color = color }
    }

    /// The title above the grid (empty: none).
    public var title: String
    /// The x axis title of every panel.
    public var xLabel: String
    /// The panels, filled row by row.
    public var panels: [Panel]
    /// Panels per row (default 4).
    public var columns: Int
    /// Bins per histogram (default 30).
    public var bins: Int
    /// A fixed x range for every panel; nil: from the data (shared or per panel).
    public var xRange: ClosedRange<Double>?
    /// Whether every panel uses one x range (default true), so panels compare at a glance.
    public var sharedX: Bool
    /// Whether every panel uses one y range (default false).
    public var sharedY: Bool
    /// One panel's width in pixels.
    public var panelWidth: Double
    /// One panel's height in pixels.
    public var panelHeight: Double

    /// A grid of histogram panels; every setting has a default.
    public init(title: String = "", xLabel: String = "", panels: [Panel] = [], columns: Int = 4, bins: Int = 30,
                xRange: ClosedRange<Double>? = nil, sharedX: Bool = true, sharedY: Bool = true,
                panelWidth: Double = 240, panelHeight: Double = 180) {
        self.title = title; self.xLabel = xLabel; self.panels = panels; self.columns = columns; self.bins = bins
        self.xRange = xRange; self.sharedX = sharedX; self.sharedY = sharedY
        self.panelWidth = panelWidth; self.panelHeight = panelHeight
    }

    /// The grid as a standalone SVG document.
    public func svg() -> String { document().render() }
    /// Writes the SVG to `path` atomically (a temporary file renamed into place); throws
    /// `PlotWriteError`.
    public func write(to path: String) throws { try writeAtomically(svg(), to: path) }

    /// The grid drawn into a new canvas (to stack it with others or add elements).
    public func document() -> SVGDocument {
        let cols = max(1, min(columns, max(1, panels.count)))
        let rows = max(1, (panels.count + cols - 1) / cols)
        let top = title.isEmpty ? 10.0 : 40.0
        let width = Double(cols) * panelWidth + 20, height = top + Double(rows) * panelHeight + 10
        var doc = SVGDocument(width: width, height: height)
        if !title.isEmpty { doc.text(title, x: width / 2, y: 26, size: 16, anchor: .middle, bold: true) }

        let all = panels.flatMap(\.values).filter(\.isFinite)
        let sharedRange: ClosedRange<Double>? = xRange ?? (sharedX ? (all.min().map { $0...max($0, all.max()!) }) : nil)
        let histograms = panels.map { Histogram($0.values, bins: bins, range: sharedRange) }
        let fractions = zip(panels, histograms).map { p, h in h.counts.map { Double($0) / Double(max(1, p.values.count)) } }
        let sharedTop = fractions.flatMap { $0 }.max() ?? 1

        for (i, panel) in panels.enumerated() {
            let h = histograms[i], f = fractions[i]
            let px = 10 + Double(i % cols) * panelWidth, py = top + Double(i / cols) * panelHeight
            let yTop = max(sharedY ? sharedTop : (f.max() ?? 1), 1e-12)
            let xAxis = AxisSpec.linear(h.lower, h.upper, count: 4, padToTicks: false)
            let yAxis = AxisSpec.linear(0, yTop, count: 4, padToTicks: true)
            let frame = Frame(left: px + 46, top: py + 24, width: panelWidth - 58, height: panelHeight - 24 - 36, x: xAxis, y: yAxis)
            doc.text(panel.title, x: frame.left + frame.width / 2, y: py + 16, size: 12, anchor: .middle, bold: true)
            frame.drawBackground(&doc)
            let color = panel.color ?? Palette.color(0)
            let w = h.binWidth
            for (k, fraction) in f.enumerated() where fraction > 0 {
                let x0 = frame.xScale(h.lower + Double(k) * w), x1 = frame.xScale(h.lower + Double(k + 1) * w)
                let y0 = frame.yScale(fraction), base = frame.yScale(0)
                doc.rect(x: x0, y: y0, width: max(0, x1 - x0 - 0.3), height: base - y0, fill: color, opacity: 0.85)
            }
            frame.drawAxes(&doc, xTitle: nil, yTitle: nil, fontSize: 9)
        }
        if !xLabel.isEmpty { doc.text(xLabel, x: width / 2, y: height - 4, size: 12, anchor: .middle) }
        return doc
    }
}

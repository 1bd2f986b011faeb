/// A line chart: several series of (x, y) points over shared axes, with a title, axis
/// titles, a legend and optional vertical marker lines (e.g. "early stop" at epoch 7).
///
/// ```swift
/// var chart = LineChart(title: "Loss", xLabel: "epoch", yLabel: "loss")
/// chart.series.append(.init(name: "train", x: [1, 2, 3], y: [0.9, 0.5, 0.4]))
/// chart.verticalMarkers.append(.init(x: 2, label: "early stop"))
/// try chart.write(to: "loss.svg")
/// ```
/// The axes cover every finite point (and the markers), widened to nice ticks; with
/// `logY` the y axis is base-10 logarithmic and points with y ≤ 0 are left out.
public struct LineChart: Sendable {
    /// One line of the chart.
    public struct Series: Sendable {
        /// The legend entry.
        public var name: String
        /// The points, joined in order.
        public var points: [Point]
        /// nil: the palette colour of the series' index.
        public var color: String?
        /// Draw a marker at every point.
        public var marker: MarkerShape?
        /// An SVG dash pattern such as "6 4"; nil draws a solid line.
        public var dash: String?

        /// A series named `name` through `points`.
        public init(name: String, points: [Point], color: String? = nil, marker: MarkerShape? = nil, dash: String? = nil) {
            self.name = name; self.points = points; self.color = color; self.marker = marker; self.dash = dash
        }

        /// Pairs `x[i]`, `y[i]` (the shorter array decides the count).
        public init(name: String, x: [Double], y: [Double], color: String? = nil, marker: MarkerShape? = nil, dash: String? = nil) {
            self.init(name: name, points: zip(x, y).map { Point($0, $1) }, color: color, marker: marker, dash: dash)
        }
    }

    /// A dashed vertical line across the plot at `x`, labelled at its top.
    public struct VerticalMarker: Sendable {
        /// Where the line is drawn, in data coordinates.
        public var x: Double
        /// The text at its top.
        public var label: String
        /// An SVG colour (default dark grey).
        public var color: String
        /// A marker at `x` labelled `label`.
        public init(x: Double, label: String, color: String = "#444") { self.x = x; self.label = label; self.color = color }
    }

    /// The title above the chart (empty: none).
    public var title: String
    /// The x axis title.
    public var xLabel: String
    /// The y axis title.
    public var yLabel: String
    /// The lines, drawn in order.
    public var series: [Series]
    /// Dashed vertical lines with labels.
    public var verticalMarkers: [VerticalMarker]
    /// Whether the y axis is base-10 logarithmic (points with y ≤ 0 are left out).
    public var logY: Bool
    /// The picture's width in pixels.
    public var width: Double
    /// The picture's height in pixels.
    public var height: Double

    /// A line chart; every setting has a default, series are usually appended later.
    public init(title: String = "", xLabel: String = "", yLabel: String = "", series: [Series] = [],
                verticalMarkers: [VerticalMarker] = [], logY: Bool = false, width: Double = 760, height: Double = 440) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
        self.verticalMarkers = verticalMarkers; self.logY = logY; self.width = width; self.height = height
    }

    private var entries: [LegendEntry] {
        series.enumerated().map { i, s in LegendEntry(name: s.name, color: s.color ?? Palette.color(i), marker: s.marker, dash: s.dash) }
    }

    /// The chart as a standalone SVG document.
    public func svg() -> String { document().render() }

    /// Writes ``svg()`` to `path` atomically.
    public func write(to path: String) throws { try writeAtomically(svg(), to: path) }

    /// The chart drawn into an ``SVGDocument`` (to add more elements before rendering).
    public func document() -> SVGDocument {
        let usable = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite && (!logY || $0.y > 0) }
        var xs = usable.map(\.x) + verticalMarkers.map(\.x).filter(\.isFinite)
        let ys = usable.map(\.y)
        if xs.isEmpty { xs = [0, 1] }
        let xAxis = AxisSpec.linear(xs.min()!, xs.max()!, count: 8)
        let yAxis = logY ? AxisSpec.logarithmic(ys.min() ?? 0.1, ys.max() ?? 1)
                         : AxisSpec.linear(ys.min() ?? 0, ys.max() ?? 1, count: 6)
        let legend = entries
        let legendWidth = legend.isEmpty ? 0 : Legend.width(legend) + 16
        let top = title.isEmpty ? 20.0 : 46.0
        let frame = Frame(left: 72, top: top, width: width - 72 - 20 - legendWidth, height: height - top - 56,
                          x: xAxis, y: yAxis)
        var doc = SVGDocument(width: width, height: height)
        if !title.isEmpty { doc.text(title, x: width / 2, y: 28, size: 16, anchor: .middle, bold: true) }
        frame.drawBackground(&doc)
        for m in verticalMarkers {
            let px = frame.xScale(m.x)
            doc.line(x1: px, y1: frame.top, x2: px, y2: frame.top + frame.height, stroke: m.color, strokeWidth: 1.4, dash: "5 4")
            doc.text(m.label, x: px + 4, y: frame.top + 14, size: 11, fill: m.color, halo: true)
        }
        for (i, s) in series.enumerated() {
            let color = s.color ?? Palette.color(i)
            let pts = s.points.map { p -> Point in
                (logY && !(p.y > 0)) ? Point(.nan, .nan) : frame.pixel(p)
            }
            doc.polyline(pts, stroke: color, strokeWidth: 2, dash: s.dash)
            if let m = s.marker { for p in pts where p.x.isFinite && p.y.isFinite { doc.marker(m, x: p.x, y: p.y, size: 3, color: color) } }
        }
        frame.drawAxes(&doc, xTitle: xLabel, yTitle: yLabel)
        Legend.draw(&doc, legend, x: frame.left + frame.width + 14, y: frame.top)
        return doc
    }
}

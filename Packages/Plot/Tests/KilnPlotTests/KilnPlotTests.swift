import Testing
@testable import KilnPlot
#if canImport(FoundationXML)
import FoundationXML
#else
import Foundation
#endif
import Foundation

/// Parses `text` with XMLParser; nil when well-formed, else the parser's error.
func xmlError(_ text: String) -> String? {
    let parser = XMLParser(data: Data(text.utf8))
    return parser.parse() ? nil : "\(parser.parserError.map { "\($0)" } ?? "parse failed") line \(parser.lineNumber)"
}

@Test(arguments: [
    (0.0, 10.0, 6, [0.0, 2, 4, 6, 8, 10]),
    (-7.3, 2.1, 5, [-6.0, -4, -2, 0, 2]),
    (0.0, 1.0, 4, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    (0.0013, 0.0041, 3, [0.002, 0.003, 0.004]),
])
func linearTicks(lower: Double, upper: Double, count: Int, expected: [Double]) {
    let ticks = Ticks.linear(lower: lower, upper: upper, count: count)
    #expect(ticks.count == expected.count)
    for (a, b) in zip(ticks, expected) { #expect(abs(a - b) < 1e-12, "\(ticks) vs \(expected)") }
}

@Test func niceDomainAndLogTicks() {
    let d = Ticks.niceDomain(lower: 0.13, upper: 0.91, count: 5)
    #expect(abs(d.lower - 0) < 1e-12 && abs(d.upper - 1.0) < 1e-12)
    #expect(Ticks.logarithmic(lower: 1e-4, upper: 1e-1) == [1e-4, 1e-3, 1e-2, 1e-1])
    let few = Ticks.logarithmic(lower: 0.1, upper: 10)
    #expect(few.count == 7 && abs(few[1] - 0.2) < 1e-15 && abs(few[2] - 0.5) < 1e-15)
    #expect(Ticks.logDomain(lower: 3e-4, upper: 0.2) == (1e-4, 1) || { let x = Ticks.logDomain(lower: 3e-4, upper: 0.2); return abs(x.lower - 1e-4) < 1e-18 && x.upper == 1 }())
}

@Test func tickLabels() {
    #expect(Ticks.label(0.25, step: 0.05) == "0.25")
    #expect(Ticks.label(-3, step: 1) == "-3")
    #expect(Ticks.label(0.30000000000000004, step: 0.1) == "0.3")
    #expect(Ticks.label(1500, step: 500) == "1500")
    #expect(Ticks.label(1e-5) == "1e-5")
    #expect(Ticks.label(2.5e6) == "2.5e6")
    #expect(Ticks.label(0) == "0")
    #expect(Ticks.label(-1.5) == "-1.5")
    #expect(Ticks.label(0.123456789) == "0.123457")
}

@Test func xmlEscaping() {
    #expect(SVGDocument.escape(#"a<b & "c" 'd'>"#) == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;")
    #expect(SVGDocument.escape("bell\u{7}tab\t") == "belltab\t")
    var doc = SVGDocument(width: 10, height: 10)
    doc.text("sgd(lr=0.95) <&> \"x\"", x: 1, y: 2)
    let svg = doc.render()
    #expect(svg.contains("sgd(lr=0.95) &lt;&amp;&gt; &quot;x&quot;"))
    #expect(xmlError(svg) == nil)
}

@Test func numbers() {
    #expect(SVGDocument.number(1.005) == "1" || SVGDocument.number(1.005) == "1.01")
    #expect(SVGDocument.number(-0.0001) == "0")
    #expect(SVGDocument.number(12.5) == "12.5")
    #expect(SVGDocument.number(-3.14159) == "-3.14")
    #expect(SVGDocument.number(.nan) == "0")
}

/// The contour of x² + y² at level r² is a circle of radius r: every segment end lies on it
/// (to the interpolation error of the grid), and the segments go all the way round.
@Test(arguments: [1.0, 2.0, 3.5])
func marchingSquaresCircle(radius: Double) {
    let grid = Grid(columns: 81, rows: 81, xRange: -4...4, yRange: -4...4) { x, y in x * x + y * y }
    let segments = MarchingSquares.segments(grid, level: radius * radius)
    #expect(segments.count > 20)
    var angles = Set<Int>()
    var length = 0.0
    for (a, b) in segments {
        for p in [a, b] {
            let r = (p.x * p.x + p.y * p.y).squareRoot()
            #expect(abs(r - radius) < 0.02, "point at radius \(r)")
            angles.insert(Int((atan2(p.y, p.x) + .pi) / (2 * .pi) * 36) % 36)
        }
        length += ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
    }
    #expect(angles.count == 36)  // every 10° sector has contour points
    #expect(abs(length - 2 * .pi * radius) / (2 * .pi * radius) < 0.01)
    // A level outside the range draws nothing.
    #expect(MarchingSquares.segments(grid, level: 100).isEmpty)
}

@Test func saddleCellIsResolvedByCentre() {
    // Corners a (bottom-left) and c (top-right) above the level, centre above: two segments
    // that cut off the below corners b and d.
    let grid = Grid(columns: 2, rows: 2, xRange: 0...1, yRange: 0...1, values: [1, 0, 0, 1])
    let s = MarchingSquares.segments(grid, level: 0.4)
    #expect(s.count == 2)
}

@Test func histogramCounts() {
    let h = Histogram([0, 0.1, 0.5, 0.99, 1, 2, .nan], bins: 2, range: 0...1)
    #expect(h.counts == [2, 3])
    #expect(h.ignored == 2)
}

func sampleCharts() -> [(String, String)] {
    var line = LineChart(title: "Loss <train & dev>", xLabel: "epoch", yLabel: "loss")
    line.series = [.init(name: "train", x: [1, 2, 3, 4], y: [1.0, 0.6, 0.4, 0.35], marker: .circle),
                   .init(name: "dev", x: [1, 2, 3, 4], y: [1.1, 0.7, 0.65, 0.7], dash: "6 3")]
    line.verticalMarkers = [.init(x: 3, label: "early stop")]
    let grid = Grid(columns: 60, rows: 40, xRange: -10...10, yRange: -5...5) { x, y in x * x / 20 + y * y }
    let contour = ContourPlot(title: "x²/20 + y²", grid: grid,
                              paths: [.init(name: "sgd(lr=0.95)", points: [Point(-7, 2), Point(-6, -1.8), Point(-5, 1.5), Point(50, 50)])],
                              marks: [.init(point: Point(0, 0), label: "minimum")])
    let hist = HistogramGrid(title: "activations", panels: (1...5).map { k in
        .init(title: "layer \(k)", values: (0..<200).map { Double(($0 * 37 + k) % 101) / 100 })
    }, columns: 3)
    var scatter = ScatterPlot(title: "search", xLabel: "learning rate", yLabel: "accuracy", logX: true)
    scatter.groups = [.init(name: "round 1", points: [Point(1e-4, 0.5), Point(3e-3, 0.8), Point(0.05, 0.7), Point(-1, 0.2)])]
    return [("line", line.svg()), ("contour", contour.svg()), ("histograms", hist.svg()), ("scatter", scatter.svg())]
}

@Test func everyChartIsWellFormedXML() {
    for (name, svg) in sampleCharts() {
        #expect(xmlError(svg) == nil, "\(name)")
        #expect(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""), "\(name)")
    }
    let contour = sampleCharts()[1].1
    #expect(contour.contains("sgd(lr=0.95)") && contour.contains("clip-path"))
}

@Test func emptyChartsStillRender() {
    #expect(xmlError(LineChart().svg()) == nil)
    #expect(xmlError(ScatterPlot(logX: true).svg()) == nil)
    #expect(xmlError(HistogramGrid().svg()) == nil)
}

@Test func automaticContourLevels() {
    let grid = Grid(columns: 30, rows: 30, xRange: -10...10, yRange: -5...5) { x, y in x * x / 10 + y * y }
    let levels = ContourPlot(grid: grid).contourLevels
    #expect(levels.count >= 6)
    #expect(levels == levels.sorted())
    // 1-2-5 sequence: each ratio is 2 or 2.5.
    for (a, b) in zip(levels, levels.dropFirst()) { #expect([2.0, 2.5].contains { abs(b / a - $0) < 1e-9 }) }
    let saddle = Grid(columns: 30, rows: 30, xRange: -2...2, yRange: -2...2) { x, y in x * x - y * y }
    let linear = ContourPlot(grid: saddle).contourLevels
    #expect(linear.contains(0) && linear.first! < 0)
}

@Test func atomicWriteLeavesNoTemporaryFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kilnplot-\(UInt64.random(in: 0...UInt64.max))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("chart.svg").path
    try writeAtomically("old", to: path)
    let svg = sampleCharts()[0].1
    try LineChart(title: "t").write(to: path)
    try writeAtomically(svg, to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == svg)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["chart.svg"])
    // A missing directory fails with a one-line error and creates nothing.
    let bad = dir.appendingPathComponent("missing/chart.svg").path
    #expect(throws: PlotWriteError.self) { try writeAtomically("x", to: bad) }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["chart.svg"])
}

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import KilnPlot

@Suite struct StackTests {
    @Test func stacksPartsIntoOneWellFormedDocument() throws {
        let a = HistogramGrid(title: "a & b", panels: [.init(title: "p", values: [0, 1, 1, 2])], columns: 1).document()
        let b = ScatterPlot(title: "s", groups: [.init(name: "g", points: [Point(1, 2), Point(2, 3)])], logX: true).document()
        let vertical = stack([a, b], direction: .vertical, gap: 10).render()
        #expect(XMLParser(data: Data(vertical.utf8)).parse())
        #expect(vertical.contains("height=\"\(SVGDocument.number(a.height + 10 + b.height))\""))
        #expect(vertical.contains("width=\"\(SVGDocument.number(max(a.width, b.width)))\""))
        #expect(vertical.components(separatedBy: "<?xml").count == 2, "one XML declaration")
        #expect(vertical.contains("translate(0,\(SVGDocument.number(a.height + 10)))"))
        let horizontal = stack([a, b], direction: .horizontal).render()
        #expect(XMLParser(data: Data(horizontal.utf8)).parse())
        #expect(horizontal.contains("width=\"\(SVGDocument.number(a.width + b.width))\""))
        // Stacks nest: a row of two parts under a title.
        let title = SVGDocument(width: 100, height: 20)
        let nested = stack([title, stack([a, b], direction: .horizontal)])
        #expect(nested.width == a.width + b.width && nested.height == 20 + max(a.height, b.height))
        #expect(XMLParser(data: Data(nested.render().utf8)).parse())
    }

    /// Bands shade their x range (clipped to the axis) under the points and carry a label.
    @Test func scatterBandsShadeTheirRange() throws {
        var plot = ScatterPlot(title: "search", groups: [.init(name: "r1", points: [Point(1e-4, 0.5), Point(1e-1, 0.8)])], logX: true)
        plot.bands = [.init(lower: 1e-3, upper: 1e-2, label: "round 2 range", color: "#d62728"),
                      .init(lower: 1e-9, upper: 1e-8, label: "off the axis")]
        let svg = plot.svg()
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        #expect(svg.contains("round 2 range"))
        #expect(!svg.contains("off the axis"), "a band outside the axis is not drawn")
        #expect(svg.contains("fill=\"#d62728\" fill-opacity=\"0.12\""), "the shaded rectangle")
    }
}

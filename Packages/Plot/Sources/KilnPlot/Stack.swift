/// Anything with a size that renders as one standalone SVG document: an ``SVGDocument``
/// (what every chart's `document()` returns) or a ``StackedFigure``.
public protocol SVGRenderable: Sendable {
    /// The width in pixels.
    var width: Double { get }
    /// The height in pixels.
    var height: Double { get }
    /// The complete SVG document.
    func render() -> String
}

extension SVGDocument: SVGRenderable {}

/// Which way ``stack(_:direction:gap:background:)`` places its parts.
public enum StackDirection: Sendable {
    /// Top to bottom.
    case vertical
    /// Left to right.
    case horizontal
}

/// Several charts in one SVG file, one below the other or side by side: the figures of
/// the examples that show one chart per experiment (a histogram grid per initializer, a
/// weight histogram per regularizer). Stacks nest.
///
/// ```swift
/// let row = stack([grid.document(), logGrid.document()], direction: .horizontal)
/// try stack([title, row, otherRow]).write(to: "figure.svg")
/// ```
///
/// Each part is nested as an inner `<svg>` element moved into place, so it keeps its own
/// coordinates. Clip paths of nested contour plots share ids (`clip1`, ...) across parts;
/// stack charts without clipping (histograms, line charts, scatter plots).
public struct StackedFigure: SVGRenderable {
    /// The total width in pixels.
    public let width: Double
    /// The total height in pixels.
    public let height: Double
    let parts: [(x: Double, y: Double, svg: String)]
    let background: String?

    /// The parts placed in one SVG document, each in its own group.
    public func render() -> String {
        let w = SVGDocument.number(width), h = SVGDocument.number(height)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" font-family=\"Helvetica, Arial, sans-serif\">\n"
        if let background {
            out += "<rect x=\"0\" y=\"0\" width=\"\(w)\" height=\"\(h)\" fill=\"\(SVGDocument.escape(background))\"/>\n"
        }
        for part in parts {
            // Drop the XML declaration: the part becomes an element of this document.
            let body = part.svg.firstRange(of: "<svg").map { String(part.svg[$0.lowerBound...]) } ?? part.svg
            out += "<g transform=\"translate(\(SVGDocument.number(part.x)),\(SVGDocument.number(part.y)))\">\n\(body)</g>\n"
        }
        out += "</svg>\n"
        return out
    }

    /// Writes ``render()`` to `path` atomically (see ``writeAtomically(_:to:)``).
    public func write(to path: String) throws { try writeAtomically(render(), to: path) }
}

/// The parts stacked into one figure (`gap` pixels between parts; the canvas is as wide
/// (or high) as the largest part).
public func stack(_ parts: [any SVGRenderable], direction: StackDirection = .vertical, gap: Double = 0,
                  background: String? = "white") -> StackedFigure {
    var width = 0.0, height = 0.0
    var placed: [(x: Double, y: Double, svg: String)] = []
    for (i, part) in parts.enumerated() {
        let offset = i == 0 ? 0 : gap
        switch direction {
        case .vertical:
            placed.append((0, height + offset, part.render()))
            height += offset + part.height
            width = max(width, part.width)
        case .horizontal:
            placed.append((width + offset, 0, part.render()))
            width += offset + part.width
            height = max(height, part.height)
        }
    }
    return StackedFigure(width: width, height: height, parts: placed, background: background)
}

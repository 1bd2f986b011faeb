/// Named points drawn with one colour and marker: a contour plot's path (an optimizer's
/// iterates, joined by a polyline) or a scatter plot's group (points alone). One legend
/// entry each.
public struct PointSeries: Sendable {
    /// The legend entry.
    public var name: String
    /// The points, in drawing order.
    public var points: [Point]
    /// An SVG colour; nil: the palette colour of the series' index.
    public var color: String?
    /// The marker drawn at every point (default circle).
    public var marker: MarkerShape
    /// A series named `name` of `points`.
    public init(name: String, points: [Point], color: String? = nil, marker: MarkerShape = .circle) {
        self.name = name; self.points = points; self.color = color; self.marker = marker
    }
}

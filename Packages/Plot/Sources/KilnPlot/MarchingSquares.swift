/// Values of a function of two variables sampled on a regular grid: `values[row * columns + column]`
/// is f(x, y) at x = xRange.lowerBound + column·Δx, y = yRange.lowerBound + row·Δy
/// (row 0 at the bottom, Δ = range width / (count − 1)).
public struct Grid: Sendable, Equatable {
    /// The number of samples along x (at least 2).
    public let columns: Int
    /// The number of samples along y (at least 2).
    public let rows: Int
    /// The x interval sampled, ends included.
    public let xRange: ClosedRange<Double>
    /// The y interval sampled, ends included.
    public let yRange: ClosedRange<Double>
    /// The samples, row by row from the bottom: `values[row * columns + column]`.
    public let values: [Double]

    /// A grid from sampled values; `values.count` must be `columns * rows`, both ≥ 2.
    public init(columns: Int, rows: Int, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, values: [Double]) {
        precondition(columns >= 2 && rows >= 2, "a grid needs at least 2 × 2 samples")
        precondition(values.count == columns * rows, "grid of \(columns) × \(rows) needs \(columns * rows) values, got \(values.count)")
        self.columns = columns; self.rows = rows; self.xRange = xRange; self.yRange = yRange; self.values = values
    }

    /// Samples `function` at `columns` × `rows` points.
    public init(columns: Int = 160, rows: Int = 120, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
                function: (Double, Double) -> Double) {
        var v = [Double](); v.reserveCapacity(columns * rows)
        for r in 0..<rows {
            let y = yRange.lowerBound + Double(r) * (yRange.upperBound - yRange.lowerBound) / Double(rows - 1)
            for c in 0..<columns {
                let x = xRange.lowerBound + Double(c) * (xRange.upperBound - xRange.lowerBound) / Double(columns - 1)
                v.append(function(x, y))
            }
        }
        self.init(columns: columns, rows: rows, xRange: xRange, yRange: yRange, values: v)
    }

    /// The x coordinate of a (fractional) column.
    public func x(_ column: Double) -> Double { xRange.lowerBound + column * (xRange.upperBound - xRange.lowerBound) / Double(columns - 1) }
    /// The y coordinate of a (fractional) row.
    public func y(_ row: Double) -> Double { yRange.lowerBound + row * (yRange.upperBound - yRange.lowerBound) / Double(rows - 1) }
    /// The sample at `column`, `row`.
    public subscript(column: Int, row: Int) -> Double { values[row * columns + column] }
}

/// Contour lines by marching squares.
///
/// Each grid cell's four corners are classified as above (≥) or below the level; the 16
/// cases say which cell edges the contour crosses, and the crossing point on an edge is the
/// linear interpolation t = (level − a)/(b − a) between the corner values a and b. The two
/// ambiguous saddle cases (diagonal corners above) are resolved by the mean of the four
/// corners (the centre value). Cells with a non-finite corner are skipped.
public enum MarchingSquares {
    /// The contour of `grid` at `level` as straight segments in data coordinates.
    public static func segments(_ grid: Grid, level: Double) -> [(Point, Point)] {
        var out: [(Point, Point)] = []
        let v = grid.values, n = grid.columns
        for r in 0..<(grid.rows - 1) {
            for c in 0..<(grid.columns - 1) {
                // Corners: 0 bottom-left, 1 bottom-right, 2 top-right, 3 top-left.
                let a = v[r * n + c], b = v[r * n + c + 1], cc = v[(r + 1) * n + c + 1], d = v[(r + 1) * n + c]
                guard a.isFinite, b.isFinite, cc.isFinite, d.isFinite else { continue }
                var index = 0
                if a >= level { index |= 1 }
                if b >= level { index |= 2 }
                if cc >= level { index |= 4 }
                if d >= level { index |= 8 }
                if index == 0 || index == 15 { continue }
                let x0 = Double(c), y0 = Double(r)
                func t(_ p: Double, _ q: Double) -> Double { p == q ? 0.5 : (level - p) / (q - p) }
                // Edge crossing points: bottom (a-b), right (b-c), top (d-c), left (a-d).
                func edge(_ e: Int) -> Point {
                    switch e {
                    case 0: return Point(grid.x(x0 + t(a, b)), grid.y(y0))
                    case 1: return Point(grid.x(x0 + 1), grid.y(y0 + t(b, cc)))
                    case 2: return Point(grid.x(x0 + t(d, cc)), grid.y(y0 + 1))
                    default: return Point(grid.x(x0), grid.y(y0 + t(a, d)))
                    }
                }
                let centreAbove = (a + b + cc + d) / 4 >= level
                switch index {
                case 1, 14: out.append((edge(3), edge(0)))
                case 2, 13: out.append((edge(0), edge(1)))
                case 3, 12: out.append((edge(3), edge(1)))
                case 4, 11: out.append((edge(1), edge(2)))
                case 6, 9: out.append((edge(0), edge(2)))
                case 7, 8: out.append((edge(3), edge(2)))
                case 5: // a and c above
                    if centreAbove { out.append((edge(3), edge(2))); out.append((edge(0), edge(1))) }
                    else { out.append((edge(3), edge(0))); out.append((edge(1), edge(2))) }
                case 10: // b and d above
                    if centreAbove { out.append((edge(3), edge(0))); out.append((edge(1), edge(2))) }
                    else { out.append((edge(3), edge(2))); out.append((edge(0), edge(1))) }
                default: break
                }
            }
        }
        return out
    }
}

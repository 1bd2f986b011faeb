/// Two-dimensional objectives for watching optimizers move (the course notes' figures) and
/// for testing them.
///
/// | case | f(x, y) | minimum |
/// | --- | --- | --- |
/// | `quadratic` | x²/10 + y² | (0, 0) |
/// | `elongated` | x²/20 + y² | (0, 0) |
/// | `rosenbrock` | (1 − x)² + 100 (y − x²)² | (1, 1), in a narrow curved valley |
/// | `saddle` | x² − y² | none: a saddle point at (0, 0), unbounded below along y |
///
/// Values and gradients are computed in `Float` (the precision the optimizers work in).
public enum TestFunction: String, CaseIterable, Sendable {
    /// The objectives of the table above, by name (`--function quadratic`).
    case quadratic, elongated, rosenbrock, saddle

    /// f(x, y).
    public func value(x: Float, y: Float) -> Float {
        switch self {
        case .quadratic: return x * x / 10 + y * y
        case .elongated: return x * x / 20 + y * y
        case .rosenbrock:
            let a = 1 - x, b = y - x * x
            return a * a + 100 * b * b
        case .saddle: return x * x - y * y
        }
    }

    /// (∂f/∂x, ∂f/∂y).
    public func gradient(x: Float, y: Float) -> (Float, Float) {
        switch self {
        case .quadratic: return (x / 5, 2 * y)
        case .elongated: return (x / 10, 2 * y)
        case .rosenbrock:
            let b = y - x * x
            return (-2 * (1 - x) - 400 * x * b, 200 * b)
        case .saddle: return (2 * x, -2 * y)
        }
    }

    /// The point of smallest value, or nil when the function has none (`saddle`).
    public var minimum: (x: Float, y: Float)? {
        switch self {
        case .quadratic, .elongated: return (0, 0)
        case .rosenbrock: return (1, 1)
        case .saddle: return nil
        }
    }
}

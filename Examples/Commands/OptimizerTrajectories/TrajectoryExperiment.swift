import KilnOptimizers
import KilnPlot
import ArgumentParser
import KilnTensor

/// One figure: a function, a start point, a step count and the optimizers (made from their
/// specs when the experiment is created, so bad specs fail before anything runs).
struct Experiment {
    let function: TestFunction
    let start: (x: Float, y: Float)
    let steps: Int
    let specs: [String]
    let optimizers: [any Optimizer]

    init(function: TestFunction, start: (Float, Float), steps: Int, specs: [String]) throws {
        self.function = function
        self.start = start
        self.steps = steps
        self.specs = specs
        do {
            optimizers = try specs.map { try KilnOptimizers.optimizers.make($0) }
        } catch {
            throw ValidationError("\(error)")
        }
    }

    struct Step { var x: Float; var y: Float; var loss: Float }
    struct Path { var spec: String; var points: [Step] }
    struct Run { var experiment: Experiment; var paths: [Path] }

    /// Runs every optimizer for `steps` steps from `start` through `Optimizer.step`.
    func run() -> Run {
        let paths = zip(specs, optimizers).map { spec, optimizer in
            let xy = Parameter(name: "xy", value: Tensor([start.x, start.y]))
            var points = [Step(x: start.x, y: start.y, loss: function.value(x: start.x, y: start.y))]
            for _ in 0..<steps {
                let v = xy.value.scalars
                let (gx, gy) = function.gradient(x: v[0], y: v[1])
                xy.gradient = Tensor([gx, gy])
                optimizer.step([xy])
                let w = xy.value.scalars
                points.append(Step(x: w[0], y: w[1], loss: function.value(x: w[0], y: w[1])))
            }
            return Path(spec: spec, points: points)
        }
        return Run(experiment: self, paths: paths)
    }
}

extension TestFunction {
    /// The formula as shown in titles.
    var formula: String {
        switch self {
        case .quadratic: return "x²/10 + y²"
        case .elongated: return "x²/20 + y²"
        case .rosenbrock: return "(1 − x)² + 100 (y − x²)²"
        case .saddle: return "x² − y²"
        }
    }

    /// The default plot window: the course notes' window for the quadratics.
    var window: (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        switch self {
        case .quadratic, .elongated: return (-10...10, -5...5)
        case .rosenbrock: return (-2...2, -1...3)
        case .saddle: return (-3...3, -3...3)
        }
    }
}

extension Experiment.Run {
    /// Contour lines of the function with one path per optimizer; the window is the
    /// function's default one, widened to show the start point.
    func contourPlot() -> ContourPlot {
        let f = experiment.function
        var (xr, yr) = f.window
        let sx = Double(experiment.start.x), sy = Double(experiment.start.y)
        if !xr.contains(sx) { xr = min(xr.lowerBound, sx - 1)...max(xr.upperBound, sx + 1) }
        if !yr.contains(sy) { yr = min(yr.lowerBound, sy - 1)...max(yr.upperBound, sy + 1) }
        let grid = Grid(columns: 241, rows: 161, xRange: xr, yRange: yr) { x, y in
            Double(f.value(x: Float(x), y: Float(y)))
        }
        let title = "f(x, y) = \(f.formula): \(experiment.steps) steps from (\(Ticks.label(sx)), \(Ticks.label(sy)))"
        let markers: [MarkerShape] = [.circle, .square, .diamond, .triangle]
        let paths = self.paths.enumerated().map { i, p in
            ContourPlot.Path(name: p.spec, points: p.points.map { Point(Double($0.x), Double($0.y)) },
                             marker: markers[i % markers.count])
        }
        var marks: [ContourPlot.Mark] = []
        if let m = f.minimum { marks.append(.init(point: Point(Double(m.x), Double(m.y)), label: "minimum")) }
        let levels: ContourPlot.Levels = f == .rosenbrock ? .automatic(count: 12, logarithmic: true) : .automatic(count: 10, logarithmic: nil)
        return ContourPlot(title: title, grid: grid, levels: levels, paths: paths, marks: marks)
    }
}

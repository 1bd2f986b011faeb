import KilnTensor

/// Input normalization (the course notes' "normalizing inputs"): statistics fitted on the
/// training set, then applied unchanged to the dev and test sets.
///
/// ```
/// mean  = (1/m) sum_i x_i                        per feature (or over everything: .global)
/// std   = sqrt((1/m) sum_i (x_i - mean)^2)       population standard deviation
/// x'    = (x - mean) / std                        if std > epsilon
/// x'    = x - mean                                otherwise (a constant feature is only centered)
/// ```
/// The notes write `x / sigma^2`; dividing by the standard deviation is what gives unit
/// variance (and what the notes' own batch norm does). Constant features (the always-black
/// corner pixels of MNIST) have `std == 0`: instead of dividing by a tiny epsilon, which
/// would turn an unseen non-zero value on the test set into a huge input, they are left
/// at scale 1, as scikit-learn's `StandardScaler` does. Sums are accumulated in Double.
///
/// `mean` and `std` are tensors of the input shape (`.perFeature`) or rank 0 (`.global`,
/// one mean and std for all features, like `transforms.Normalize` with one channel); save
/// them with a model (``tensors``) and restore with ``init(mean:std:epsilon:)``.
///
/// ```swift
/// let standardizer = try Standardizer(fitting: train)
/// let (trainZ, devZ, testZ) = (standardizer.apply(to: train), standardizer.apply(to: dev), standardizer.apply(to: test))
/// ```
public struct Standardizer: Sendable, Equatable {
    /// Whether the statistics are per feature or over all features.
    public enum Mode: String, Sendable, CaseIterable {
        /// One mean and std per input feature (pixel).
        case perFeature
        /// One mean and std over all features.
        case global
        /// One mean and std per channel of CxHxW images (torchvision's `Normalize(mean,
        /// std)`): `mean` and `std` have shape `[c, 1, 1]`. The data must be CxHxW.
        case perChannel
    }

    /// The training mean: input shape (per feature) or rank 0 (global).
    public let mean: Tensor
    /// The training standard deviation (population), same shape as `mean`.
    public let std: Tensor
    /// Features with `std <= epsilon` are centered but not scaled. Default 1e-6.
    public let epsilon: Float

    /// Fits on every example of `data`. Throws ``DataError`` for an empty dataset.
    public init(fitting data: TensorDataset, mode: Mode = .perFeature, epsilon: Float = 1e-6) throws {
        guard data.count > 0 else {
            throw DataError(.invalidArgument, "Standardizer: cannot fit on an empty dataset")
        }
        if mode == .perChannel {
            guard data.inputShape.count == 3 else {
                throw DataError(.invalidArgument, "Standardizer: per-channel statistics need CxHxW images, got inputs of shape \(data.inputShape)")
            }
            let (channelMean, channelStd) = Standardizer.channelStatistics(data)
            self.mean = channelMean
            self.std = channelStd
            self.epsilon = epsilon
            return
        }
        let d = data.inputShape.reduce(1, *)
        let m = data.count
        var sums = [Double](repeating: 0, count: d)
        var squares = [Double](repeating: 0, count: d)
        sums.withUnsafeMutableBufferPointer { s in
            data.forEachRow { _, row in
                for j in 0..<d { s[j] += Double(row[j]) }
            }
        }
        let scale = 1 / Double(m)
        if mode == .global {
            let total = sums.reduce(0, +) * scale / Double(d)
            for j in 0..<d { sums[j] = total }
        } else {
            for j in 0..<d { sums[j] *= scale }
        }
        sums.withUnsafeBufferPointer { mu in
            squares.withUnsafeMutableBufferPointer { q in
                data.forEachRow { _, row in
                    for j in 0..<d {
                        let e = Double(row[j]) - mu[j]
                        q[j] += e * e
                    }
                }
            }
        }
        let shape = mode == .global ? [] : data.inputShape
        if mode == .global {
            let variance = squares.reduce(0, +) / Double(m * d)
            self.mean = Tensor(shape: [], scalars: [Float(sums.first ?? 0)])
            self.std = Tensor(shape: [], scalars: [Float(variance.squareRoot())])
        } else {
            self.mean = Tensor(shape: shape, scalars: sums.map { Float($0) })
            self.std = Tensor(shape: shape, scalars: squares.map { Float(($0 / Double(m)).squareRoot()) })
        }
        self.epsilon = epsilon
    }

    /// Each channel's mean and population std over every pixel of every example, `[c, 1, 1]`
    /// (two passes in Double, as for the other modes).
    private static func channelStatistics(_ data: TensorDataset) -> (Tensor, Tensor) {
        let c = data.inputShape[0], plane = data.inputShape[1] * data.inputShape[2]
        var sums = [Double](repeating: 0, count: c), squares = [Double](repeating: 0, count: c)
        data.forEachRow { _, row in
            for k in 0..<c { for j in 0..<plane { sums[k] += Double(row[k * plane + j]) } }
        }
        let n = Double(data.count * plane)
        let means = sums.map { $0 / n }
        data.forEachRow { _, row in
            for k in 0..<c {
                for j in 0..<plane {
                    let e = Double(row[k * plane + j]) - means[k]
                    squares[k] += e * e
                }
            }
        }
        return (Tensor(shape: [c, 1, 1], scalars: means.map { Float($0) }),
                Tensor(shape: [c, 1, 1], scalars: squares.map { Float(($0 / n).squareRoot()) }))
    }

    /// Whether the statistics are per channel (`[c, 1, 1]`) for inputs of `featureCount`
    /// features that are not themselves `[c, 1, 1]` images.
    private func isPerChannel(featureCount d: Int) -> Bool {
        mean.rank == 3 && mean.shape[1] == 1 && mean.shape[2] == 1 && mean.count != d && d % mean.count == 0
    }

    /// Restores a fitted standardizer (e.g. from a checkpoint). Throws ``DataError`` if
    /// the shapes differ, or a value is not finite, or a std is negative.
    public init(mean: Tensor, std: Tensor, epsilon: Float = 1e-6) throws {
        guard mean.shape == std.shape else {
            throw DataError(.invalidArgument, "Standardizer: mean shape \(mean.shape) and std shape \(std.shape) differ")
        }
        guard mean.scalars.allSatisfy(\.isFinite), std.scalars.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw DataError(.invalidArgument, "Standardizer: mean and std must be finite, std non-negative")
        }
        guard epsilon.isFinite, epsilon >= 0 else {
            throw DataError(.invalidArgument, "Standardizer: epsilon \(epsilon) must be finite and non-negative")
        }
        self.mean = mean
        self.std = std
        self.epsilon = epsilon
    }

    /// The statistics by name (`"mean"`, `"std"`) for saving with a model.
    public var tensors: [String: Tensor] { ["mean": mean, "std": std] }

    /// Restores from ``tensors``; throws when a name is missing or the values are invalid.
    public init(tensors: [String: Tensor], epsilon: Float = 1e-6) throws {
        guard let mean = tensors["mean"], let std = tensors["std"] else {
            throw DataError(.invalidArgument, "Standardizer: expected tensors \"mean\" and \"std\", got \(tensors.keys.sorted())")
        }
        try self.init(mean: mean, std: std, epsilon: epsilon)
    }

    /// Per-feature shift and scale for `featureCount` features.
    private func coefficients(featureCount d: Int) -> (shift: [Float], scale: [Float]) {
        let global = mean.rank == 0
        if isPerChannel(featureCount: d) {
            // Feature j of a CxHxW example (flattened in CHW order) is in channel j / (H·W).
            let plane = d / mean.count
            var shift = [Float](repeating: 0, count: d), scale = [Float](repeating: 1, count: d)
            for j in 0..<d {
                shift[j] = mean.scalars[j / plane]
                let s = std.scalars[j / plane]
                scale[j] = s > epsilon ? 1 / s : 1
            }
            return (shift, scale)
        }
        precondition(global || mean.count == d,
                     "Standardizer: fitted on \(mean.count) features (shape \(mean.shape)), applied to \(d)")
        var shift = [Float](repeating: 0, count: d)
        var scale = [Float](repeating: 1, count: d)
        for j in 0..<d {
            let k = global ? 0 : j
            shift[j] = mean.scalars[k]
            let s = std.scalars[k]
            scale[j] = s > epsilon ? 1 / s : 1
        }
        return (shift, scale)
    }

    /// `(x - mean) / std` for a batch `[n] + inputShape` (or one example of the input shape).
    /// - Precondition: the feature count matches the fitted one.
    public func apply(_ inputs: Tensor) -> Tensor {
        let d: Int
        if mean.rank == 0 {
            d = inputs.rank >= 1 && inputs.shape[0] > 0 ? inputs.count / inputs.shape[0] : max(inputs.count, 1)
        } else if inputs.rank >= 1, inputs.shape[0] > 0, isPerChannel(featureCount: inputs.count / inputs.shape[0]) {
            d = inputs.count / inputs.shape[0]
        } else {
            precondition(inputs.shape == mean.shape || Array(inputs.shape.dropFirst()) == mean.shape,
                         "Standardizer: input shape \(inputs.shape) does not fit the fitted shape \(mean.shape)")
            d = mean.count
        }
        let (shift, scale) = coefficients(featureCount: d)
        return Tensor(shape: inputs.shape) { out in
            inputs.withUnsafeBufferPointer { src in
                Standardizer.transform(src.baseAddress, rowSize: d, count: d > 0 ? inputs.count / d : 0,
                                       shift: shift, scale: scale, into: out.baseAddress)
            }
        }
    }

    /// A dataset of the standardized inputs (a view is gathered and transformed in one pass).
    public func apply(to data: TensorDataset) -> TensorDataset {
        let d = data.inputShape.reduce(1, *)
        let (shift, scale) = coefficients(featureCount: d)
        let inputs = Tensor(shape: [data.count] + data.inputShape) { out in
            guard d > 0, let o = out.baseAddress else { return }
            shift.withUnsafeBufferPointer { sh in
                scale.withUnsafeBufferPointer { sc in
                    data.forEachRow { i, row in
                        let dst = o + i * d
                        for j in 0..<d { dst[j] = (row[j] - sh[j]) * sc[j] }
                    }
                }
            }
        }
        return TensorDataset(inputs: inputs, labels: data.labels, classNames: data.classNames)
    }

    private static func transform(_ base: UnsafePointer<Float>?, rowSize d: Int, count m: Int,
                                  shift: [Float], scale: [Float], into out: UnsafeMutablePointer<Float>?) {
        guard let base, let out, d > 0, m > 0 else { return }
        shift.withUnsafeBufferPointer { sh in
            scale.withUnsafeBufferPointer { sc in
                for i in 0..<m {
                    let src = base + i * d
                    let dst = out + i * d
                    for j in 0..<d { dst[j] = (src[j] - sh[j]) * sc[j] }
                }
            }
        }
    }
}

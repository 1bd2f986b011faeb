/// The bias/variance diagnosis of the course notes, from train and dev error.
///
/// With an optional target (Bayes/human) error e*:
/// - avoidable bias = train error - e* (high: the model underfits: a bigger network,
///   longer training, a better optimizer);
/// - variance = dev error - train error (high: the model overfits: more data,
///   regularization, augmentation, early stopping).
///
/// The course notes' table, with e* ≈ 0: train 1% / dev 11% is high variance; 15% / 16% high
/// bias; 15% / 30% both; 0.5% / 1% neither. "High" here means above `threshold`
/// (default 2 percentage points), a rule of thumb to be read with the numbers.
public struct Diagnosis: Sendable, CustomStringConvertible {
    public var trainError: Double
    public var devError: Double
    public var targetError: Double
    public var threshold: Double

    public init(trainAccuracy: Double, devAccuracy: Double, targetError: Double = 0, threshold: Double = 0.02) {
        trainError = 1 - trainAccuracy
        devError = 1 - devAccuracy
        self.targetError = targetError
        self.threshold = threshold
    }

    public var avoidableBias: Double { trainError - targetError }
    public var variance: Double { devError - trainError }
    public var highBias: Bool { avoidableBias > threshold }
    public var highVariance: Bool { variance > threshold }

    public var verdict: String {
        switch (highBias, highVariance) {
        case (true, true): return "high bias and high variance: fit the training set better first, then regularize"
        case (true, false): return "high bias (underfitting): try a bigger network, longer training or a better optimizer"
        case (false, true): return "high variance (overfitting): try more data, regularization, augmentation or early stopping"
        case (false, false): return "low bias and low variance"
        }
    }

    public var description: String {
        func pct(_ x: Double) -> String { formatFixed(100 * x, 2) + "%" }
        return """
        bias/variance diagnosis (target error \(pct(targetError))):
          train error \(pct(trainError))   dev error \(pct(devError))
          avoidable bias \(pct(avoidableBias))   variance \(pct(variance))
          -> \(verdict)
        """
    }
}

import KilnTensor

/// One-hot rows: `result[i, labels[i]] = 1`, zeros elsewhere; shape `[labels.count, classCount]`.
/// - Precondition: every label is in `0..<classCount`.
public func oneHot(_ labels: [Int], classCount: Int) -> Tensor {
    precondition(classCount >= 0, "oneHot: negative class count")
    return Tensor(shape: [labels.count, classCount]) { out in
        guard let base = out.baseAddress else { return }
        base.initialize(repeating: 0, count: out.count)
        for (i, y) in labels.enumerated() {
            precondition(y >= 0 && y < classCount, "oneHot: label \(y) at \(i) is outside 0..<\(classCount)")
            base[i * classCount + y] = 1
        }
    }
}

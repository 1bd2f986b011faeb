import KilnRegistry

/// Every built-in regularizer by name, and the place to add your own:
///
/// ```swift
/// let r = try regularizers.make("l2(lambda=1e-4)")
/// regularizers.register("max-norm") { spec in MaxNorm(limit: try spec.float("limit", default: 3)) }
/// ```
///
/// Names: `l2(lambda=0.01)`, `l1(lambda=0.01)`, `elastic-net(l1=0.01, l2=0.01)`
/// (lambda may be given positionally: `l2(1e-4)`). Early stopping is not a regularizer
/// of the weights; make it with ``EarlyStopping/init(spec:)``.
public let regularizers: Registry<any Regularizer> = {
    let registry = Registry<any Regularizer>(kind: "regularizer")
    registerBuiltInRegularizers(in: registry)
    return registry
}()

/// Registers the built-in regularizers in `registry` (``regularizers`` is made this way).
public func registerBuiltInRegularizers(in registry: Registry<any Regularizer>) {
    registry.register("l2") { spec in L2(lambda: try spec.nonNegativeFloat("lambda", at: 0, default: 0.01)) }
    registry.register("l1") { spec in L1(lambda: try spec.nonNegativeFloat("lambda", at: 0, default: 0.01)) }
    registry.register("elastic-net") { spec in
        ElasticNet(l1: try spec.nonNegativeFloat("l1", at: 0, default: 0.01),
                   l2: try spec.nonNegativeFloat("l2", at: 1, default: 0.01))
    }
}

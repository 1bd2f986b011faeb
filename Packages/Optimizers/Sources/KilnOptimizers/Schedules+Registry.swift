import KilnRegistry

/// Every learning-rate schedule by name: `try schedules.make("step(every=10, factor=0.5)")`.
/// Built-ins: `constant`, `exponential(rate)`, `inverse-time(decay)`, `step(every, factor=0.1)`,
/// `sqrt(k)`, `cosine(total, min=0, warmup=0)`,
/// `reduce-on-plateau(factor=0.1, patience=10, min=0, threshold=1e-4)`; the first argument
/// may be positional (`exponential(0.95)`).
public let schedules: Registry<any LearningRateSchedule> = {
    let registry = Registry<any LearningRateSchedule>(kind: "schedule")
    registerBuiltInSchedules(in: registry)
    return registry
}()

/// Registers the built-in schedules (what ``schedules`` starts with).
public func registerBuiltInSchedules(in registry: Registry<any LearningRateSchedule>) {
    registry.register("constant") { _ in ConstantSchedule() }
    registry.register("exponential") { spec in
        ExponentialSchedule(rate: try spec.float("rate", at: 0, default: nil, in: Float.leastNonzeroMagnitude...1))
    }
    registry.register("inverse-time") { spec in
        InverseTimeSchedule(decay: try spec.nonNegative("decay", at: 0, default: nil))
    }
    registry.register("step") { spec in
        StepSchedule(every: try spec.int("every", at: 0, default: nil, in: 1...),
                     factor: try spec.float("factor", at: 1, default: 0.1, in: Float.leastNonzeroMagnitude...1))
    }
    registry.register("sqrt") { spec in
        SqrtSchedule(k: try spec.positive("k", at: 0, default: nil))
    }
    registry.register("cosine") { spec in
        let total = try spec.int("total", at: 0, default: nil, in: 1...)
        let minimum = try spec.nonNegative("min", default: 0)
        let warmup = try spec.int("warmup", default: 0, in: 0...)
        guard warmup < total else {
            throw SpecArgumentError(spec: spec, key: "warmup", message: "must be < total (\(total)), got \(warmup)")
        }
        return CosineSchedule(total: total, minimum: minimum, warmup: warmup)
    }
    registry.register("reduce-on-plateau", aliases: ["plateau"]) { spec in
        ReduceOnPlateauSchedule(
            factor: try spec.float("factor", at: 0, default: 0.1, in: Float.leastNonzeroMagnitude..<1),
            patience: try spec.int("patience", default: 10, in: 0...),
            minimum: try spec.nonNegative("min", default: 0),
            threshold: try spec.float("threshold", default: 1e-4, in: 0..<1))
    }
}

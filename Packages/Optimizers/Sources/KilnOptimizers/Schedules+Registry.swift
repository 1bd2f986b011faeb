import KilnRegistry

/// Every learning-rate schedule by name: `try schedules.make("step(every=10, factor=0.5)")`.
/// Built-ins: `constant`, `exponential(rate)`, `inverse-time(decay)`, `step(every, factor=0.1)`,
/// `sqrt(k)`, `cosine(total, min=0, warmup=0)`,
/// `reduce-on-plateau(factor=0.1, patience=10, min=0, threshold=1e-4)`, and the per-step
/// `warmup-cosine(warmup=1, total=, min=0)` and `one-cycle(total=, pct_start=0.3, div=25,
/// final_div=1e4)` (`total` defaults to the run's epochs); the first argument may be
/// positional (`exponential(0.95)`).
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
        InverseTimeSchedule(decay: try spec.nonNegativeFloat("decay", at: 0, default: nil))
    }
    registry.register("step") { spec in
        StepSchedule(every: try spec.int("every", at: 0, default: nil, in: 1...),
                     factor: try spec.float("factor", at: 1, default: 0.1, in: Float.leastNonzeroMagnitude...1))
    }
    registry.register("sqrt") { spec in
        SqrtSchedule(k: try spec.positiveFloat("k", at: 0, default: nil))
    }
    registry.register("cosine") { spec in
        let total = try spec.int("total", at: 0, default: nil, in: 1...)
        let minimum = try spec.nonNegativeFloat("min", default: 0)
        let warmup = try spec.int("warmup", default: 0, in: 0...)
        guard warmup < total else {
            throw SpecArgumentError(spec: spec, key: "warmup", message: "must be < total (\(total)), got \(warmup)")
        }
        return CosineSchedule(total: total, minimum: minimum, warmup: warmup)
    }
    registry.register("warmup-cosine") { spec in
        let warmup = try spec.double("warmup", at: 0, default: 1)
        guard warmup >= 0, warmup.isFinite else { throw SpecArgumentError(spec: spec, key: "warmup", message: "must be finite and >= 0") }
        var total: Double?
        if spec.has("total") {
            let t = try spec.double("total")
            guard t.isFinite, t > warmup else {
                throw SpecArgumentError(spec: spec, key: "total", message: "must be finite and > warmup (\(Spec.format(warmup))), got \(Spec.format(t))")
            }
            total = t
        }
        return WarmupCosineSchedule(warmup: warmup, total: total, minimum: try spec.nonNegativeFloat("min", default: 0))
    }
    registry.register("one-cycle", aliases: ["onecycle"]) { spec in
        var total: Double?
        if spec.has("total") {
            let t = try spec.double("total")
            guard t.isFinite, t > 0 else { throw SpecArgumentError(spec: spec, key: "total", message: "must be finite and > 0") }
            total = t
        }
        let pct = try spec.double("pct_start", default: 0.3)
        guard pct > 0, pct < 1 else { throw SpecArgumentError(spec: spec, key: "pct_start", message: "must be in (0, 1), got \(Spec.format(pct))") }
        let div = try spec.double("div", default: 25), finalDiv = try spec.double("final_div", default: 1e4)
        for (key, x) in [("div", div), ("final_div", finalDiv)] where !(x >= 1 && x.isFinite) {
            throw SpecArgumentError(spec: spec, key: key, message: "must be finite and >= 1, got \(Spec.format(x))")
        }
        return OneCycleSchedule(total: total, pctStart: pct, divFactor: div, finalDivFactor: finalDiv)
    }
    registry.register("reduce-on-plateau", aliases: ["plateau"]) { spec in
        ReduceOnPlateauSchedule(
            factor: try spec.float("factor", at: 0, default: 0.1, in: Float.leastNonzeroMagnitude..<1),
            patience: try spec.int("patience", default: 10, in: 0...),
            minimum: try spec.nonNegativeFloat("min", default: 0),
            threshold: try spec.float("threshold", default: 1e-4, in: 0..<1))
    }
}

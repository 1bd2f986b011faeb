import KilnRegistry

/// Every optimizer by name: `try optimizers.make("adam(lr=0.001)")`.
///
/// Built-ins (defaults in each type's doc and in the package README): `sgd`, `momentum`,
/// `nesterov`, `adagrad`, `adadelta`, `rmsprop`, `adam`, `adamw`, `nadam`, `adamax`.
/// `lr` is also the first positional argument (`sgd(0.1)`). Register your own with
/// `optimizers.register("name") { spec in ... }`; it is then usable wherever a spec is.
public let optimizers: Registry<any Optimizer> = {
    let registry = Registry<any Optimizer>(kind: "optimizer")
    registerBuiltInOptimizers(in: registry)
    return registry
}()

/// Registers the built-in optimizers (what ``optimizers`` starts with).
public func registerBuiltInOptimizers(in registry: Registry<any Optimizer>) {
    registry.register("sgd") { spec in
        let lr = try spec.learningRate(default: 0.01)
        let momentum = try spec.nonNegativeFloat("momentum", default: 0)
        let dampening = try spec.float("dampening", default: 0, in: 0...1)
        let nesterov = try spec.bool("nesterov", default: false)
        let decay = try spec.nonNegativeFloat("weight_decay", default: 0)
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw SpecArgumentError(spec: spec, key: "nesterov", message: "nesterov=true needs momentum > 0 and dampening = 0")
        }
        return SGD(learningRate: lr, momentum: momentum, dampening: dampening, nesterov: nesterov, weightDecay: decay)
    }
    registry.register("momentum") { spec in
        Momentum(learningRate: try spec.learningRate(default: 0.01), momentum: try spec.unitRate("momentum", default: 0.9),
                 weightDecay: try spec.nonNegativeFloat("weight_decay", default: 0))
    }
    registry.register("nesterov", aliases: ["nag"]) { spec in
        Nesterov(learningRate: try spec.learningRate(default: 0.01), momentum: try spec.unitRate("momentum", default: 0.9),
                 weightDecay: try spec.nonNegativeFloat("weight_decay", default: 0))
    }
    registry.register("adagrad") { spec in
        Adagrad(learningRate: try spec.learningRate(default: 0.01), epsilon: try spec.positiveFloat("eps", default: 1e-6),
                initialAccumulator: try spec.nonNegativeFloat("initial_accumulator", default: 0),
                learningRateDecay: try spec.nonNegativeFloat("lr_decay", default: 0),
                weightDecay: try spec.nonNegativeFloat("weight_decay", default: 0))
    }
    registry.register("adadelta") { spec in
        Adadelta(learningRate: try spec.learningRate(default: 1), rho: try spec.unitRate("rho", default: 0.9),
                 epsilon: try spec.positiveFloat("eps", default: 1e-5), weightDecay: try spec.nonNegativeFloat("weight_decay", default: 0))
    }
    registry.register("rmsprop") { spec in
        RMSprop(learningRate: try spec.learningRate(default: 0.001), alpha: try spec.unitRate("alpha", default: 0.9),
                epsilon: try spec.positiveFloat("eps", default: 1e-8), momentum: try spec.unitRate("momentum", default: 0),
                centered: try spec.bool("centered", default: false),
                weightDecay: try spec.nonNegativeFloat("weight_decay", default: 0))
    }
    registry.register("adam") { spec in
        Adam(learningRate: try spec.learningRate(default: 0.001), beta1: try spec.unitRate("beta1", default: 0.9),
             beta2: try spec.unitRate("beta2", default: 0.999), epsilon: try spec.positiveFloat("eps", default: 1e-8),
             amsgrad: try spec.bool("amsgrad", default: false), weightDecay: try spec.nonNegativeFloat("weight_decay", default: 0))
    }
    registry.register("adamw") { spec in
        AdamW(learningRate: try spec.learningRate(default: 0.001), beta1: try spec.unitRate("beta1", default: 0.9),
              beta2: try spec.unitRate("beta2", default: 0.999), epsilon: try spec.positiveFloat("eps", default: 1e-8),
              amsgrad: try spec.bool("amsgrad", default: false), weightDecay: try spec.nonNegativeFloat("weight_decay", default: 0.01))
    }
    registry.register("nadam") { spec in
        NAdam(learningRate: try spec.learningRate(default: 0.002), beta1: try spec.unitRate("beta1", default: 0.9),
              beta2: try spec.unitRate("beta2", default: 0.999), epsilon: try spec.positiveFloat("eps", default: 1e-8),
              momentumDecay: try spec.nonNegativeFloat("momentum_decay", default: 0.004),
              weightDecay: try spec.nonNegativeFloat("weight_decay", default: 0))
    }
    registry.register("adamax") { spec in
        Adamax(learningRate: try spec.learningRate(default: 0.002), beta1: try spec.unitRate("beta1", default: 0.9),
               beta2: try spec.unitRate("beta2", default: 0.999), epsilon: try spec.positiveFloat("eps", default: 1e-8),
               weightDecay: try spec.nonNegativeFloat("weight_decay", default: 0))
    }
}

import KilnLayers
import KilnOptimizers
import KilnRegularizers
import KilnTraining

/// Builds a Trainer from the shared flags (specs were validated already).
public func makeTrainer(model: Sequential, options: TrainingOptions) throws -> Trainer {
    let trainer = Trainer(model: model, optimizer: try optimizers.make(options.optimizer),
                          batchSize: options.batchSize, seed: options.seed)
    trainer.evaluationBatchSize = options.evaluationBatchSize
    try options.checkTestTimeAugmentation(inputShape: model.inputShape)
    trainer.testTimeAugmentation = options.testTimeAugmentation
    if let schedule = options.schedule { trainer.schedule = try schedules.make(schedule) }
    trainer.loss = try losses.make(options.loss)
    if let regularizer = options.regularizer { trainer.regularizer = try regularizers.make(regularizer) }
    if let earlyStopping = options.earlyStopping { trainer.earlyStopping = try makeEarlyStopping(earlyStopping) }
    trainer.clipNorm = options.clipNorm
    trainer.clipValue = options.clipValue
    do { try trainer.freeze(layers: options.frozenPositions) } catch { throw ExampleError("--freeze: \(error)") }
    trainer.skipNonFinite = options.skipNonFinite
    trainer.threads = options.threads
    trainer.shards = options.shards
    return trainer
}

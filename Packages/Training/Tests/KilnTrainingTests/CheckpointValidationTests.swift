import Foundation
import KilnData
import KilnLayers
import KilnOptimizers
import KilnTensor
import Testing
@testable import KilnTraining

/// A checkpoint is untrusted input: every field is checked before the trainer changes.
@Suite struct CheckpointValidationTests {
    func trainer(seed: UInt64 = 1, optimizer: String = "adam(lr=0.01)") throws -> Trainer {
        var rng = RandomGenerator(seed: 5)
        let model = try Sequential.build(spec: "dense(8)|relu|dense(3)", inputShape: [8], rng: &rng)
        return Trainer(model: model, optimizer: try optimizers.make(optimizer), batchSize: 32, seed: seed)
    }

    func checkpoint() throws -> SafeTensors {
        let t = try trainer()
        try t.fit(train: DataParallelTests().flatData(), epochs: 2)
        return t.checkpoint(inputShape: [8], classNames: ["a", "b", "c"])
    }

    @Test func aGoodCheckpointRestores() throws {
        let t = try trainer()
        try t.restore(from: try checkpoint())
        #expect(t.completedEpochs == 2 && t.history.count == 2)
    }

    @Test func everyFieldIsChecked() throws {
        let good = try checkpoint()
        func rejects(_ field: String, on target: Trainer? = nil, _ change: (inout SafeTensors) -> Void) throws {
            var file = good
            change(&file)
            let t = try target ?? trainer()
            let before = t.model.parameters.map(\.value)
            #expect { try t.restore(from: file) } throws: { "\($0)".contains(field) }
            #expect(t.model.parameters.map(\.value) == before, "a rejected checkpoint changed the model (\(field))")
            #expect(t.completedEpochs == 0)
        }
        try rejects("kiln.epoch") { $0.metadata["kiln.epoch"] = "-1" }
        try rejects("kiln.epoch") { $0.metadata["kiln.epoch"] = "99999999" }
        try rejects("kiln.history") { $0.metadata["kiln.epoch"] = "3" }
        try rejects("kiln.history") { $0.metadata["kiln.history"] = "{not json" }
        try rejects("kiln.seed") { $0.metadata["kiln.seed"] = "x" }
        try rejects("kiln.seed", on: try trainer(seed: 2)) { _ in }
        try rejects("kiln.optimizer", on: try trainer(optimizer: "sgd(lr=0.01)")) { _ in }
        try rejects("kiln.optimizer", on: try trainer(optimizer: "adam(lr=0.01, beta1=0.8)")) { _ in }
        try rejects("kiln.base_learning_rate") { $0.metadata["kiln.base_learning_rate"] = "nan" }
        try rejects("shard count") { $0.metadata["kiln.shards"] = "0" }
        try rejects("2.dense.bias") { $0.tensors["model/2.dense.bias"] = Tensor.zeros([4]) }
        // Another learning rate is fine: a schedule changes it.
        try trainer(optimizer: "adam(lr=0.5)").restore(from: good)
    }
}

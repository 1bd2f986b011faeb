import Foundation
import KilnData
import KilnLayers
import KilnOptimizers
import KilnTensor
import KilnTraining
import Testing
import KilnEnsemble

/// The README's ten lines, on three Gaussian blobs instead of Fashion-MNIST. Nested in
/// the serialized `BaggingTests` because `fit` sets OpenBLAS's process-wide thread count.
extension BaggingTests {
@Suite struct ReadmeExampleTests {
    @Test func readmeLinesRun() async throws {
        let data = (train: blobs(count: 150, seed: 4), test: blobs(count: 60, seed: 4, noiseSeed: 77))
        let ensemble = try await Bagging(members: 3, seed: 1).fit(train: data.train, epochs: 2, parallelism: try Parallelism(members: 3, threads: 1)) { member in
            var rng = RandomGenerator(seed: member.seed)
            let model = try Sequential.build(spec: "dense(16)|relu|dense(3)", inputShape: [8], rng: &rng)
            return MemberSetup(trainer: Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.01)"), batchSize: 16, seed: member.seed))
        }
        let report = ensemble.report(on: data.test)
        #expect(report.memberAccuracies.count == 3 && report.accuracy > 0.5)
        #expect(ensemble.outOfBag!.accuracy > 0.5)
        let dir = NSTemporaryDirectory() + "kiln-readme-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try ensemble.save(to: dir + "/bagged")
        #expect(FileManager.default.fileExists(atPath: dir + "/bagged/member-01.safetensors"))
    }
}
}

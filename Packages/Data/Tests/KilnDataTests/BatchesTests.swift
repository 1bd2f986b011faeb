import Testing
@testable import KilnData

@Suite struct BatchesTests {
    /// The epoch seed is KilnTensor's mixSeed with the epoch as the stream, pinned to the
    /// value computed outside Swift (a saved run's shuffles stay the same).
    @Test func epochSeedIsPinned() {
        #expect(Batches.epochSeed(1, epoch: 3) == 0x71C1_8690_EE42_C90B)
    }

    @Test func slicesAreTheBatchesWithTheirPositions() {
        let b = Batches(count: 10, batchSize: 4, seed: 3, epoch: 2)
        #expect(Batches.count(examples: 10, batchSize: 4, dropLast: false) == 3)
        #expect(Batches.count(examples: 10, batchSize: 4, dropLast: true) == 2)
        for i in b.indices {
            #expect(Array(b.slice(i)) == b[i])
            #expect(b.slice(i).startIndex == i * 4)
        }
    }

    @Test(arguments: [(10, 3, false, 4), (10, 3, true, 3), (9, 3, true, 3), (0, 5, false, 0), (2, 5, true, 0), (2, 5, false, 1)])
    func coverageAndCounts(count: Int, batchSize: Int, dropLast: Bool, batches: Int) {
        let b = Batches(count: count, batchSize: batchSize, seed: 1, epoch: 1, dropLast: dropLast)
        #expect(b.count == batches)
        let seen = b.flatMap { $0 }
        if dropLast {
            #expect(seen.count == (count / batchSize) * batchSize)
            #expect(b.allSatisfy { $0.count == batchSize })
        } else {
            #expect(seen.sorted() == Array(0..<count))
        }
        #expect(Set(seen).count == seen.count)
    }

    @Test func everyIndexOncePerEpochFullSize() {
        for epoch in 1...3 {
            let b = Batches(count: 1000, batchSize: 128, seed: 4, epoch: epoch)
            #expect(b.count == 8)
            #expect(b.last?.count == 1000 - 7 * 128)
            #expect(b.flatMap { $0 }.sorted() == Array(0..<1000))
        }
    }

    @Test func determinismPerSeedAndEpoch() {
        let a = Batches(count: 300, batchSize: 32, seed: 9, epoch: 5)
        let b = Batches(count: 300, batchSize: 32, seed: 9, epoch: 5)
        #expect(Array(a) == Array(b))
        // Epoch 5 does not depend on earlier epochs having been drawn.
        _ = Batches(count: 300, batchSize: 32, seed: 9, epoch: 4)
        #expect(Batches(count: 300, batchSize: 32, seed: 9, epoch: 5).order == a.order)
        #expect(Batches(count: 300, batchSize: 32, seed: 9, epoch: 6).order != a.order)
        #expect(Batches(count: 300, batchSize: 32, seed: 10, epoch: 5).order != a.order)
        #expect(a.order != Array(0..<300))
        #expect(Batches.epochSeed(1, epoch: 0) != Batches.epochSeed(0, epoch: 1))
    }

    @Test func sequentialForEvaluation() {
        let b = Batches.sequential(count: 7, batchSize: 3)
        #expect(Array(b) == [[0, 1, 2], [3, 4, 5], [6]])
    }
}

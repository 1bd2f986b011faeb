import KilnDistributed
import Testing

/// The array and byte helpers, through one process and through a ThreadGroup of ranks,
/// so that the multi-rank paths (padding, lengths, rank order) are tested without MPI.
@Suite struct CommunicatorTests {
    @Test func singleProcessCollectivesAreCopies() throws {
        let world = SingleProcessCommunicator()
        #expect(world.rank == 0 && world.size == 1 && world.isRoot)
        #expect(try world.allgather([1, 2, 3]) == [[1, 2, 3]])
        #expect(try world.allreduce([1, .nan, 3]).map(\.bitPattern) == [Float(1), .nan, 3].map(\.bitPattern))
        #expect(try world.broadcast([4, 5], root: 0) == [4, 5])
        #expect(throws: CommunicationError.self) { try world.broadcast([1], root: 1) }
        #expect(Array(world.share(of: 5)) == [0, 1, 2, 3, 4])
    }

    @Test func bytesSurviveTheFloatTransport() throws {
        let world = SingleProcessCommunicator()
        for length in [0, 1, 3, 4, 5, 1001] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 255) }
            #expect(try world.allgatherBytes(bytes) == [bytes])
        }
    }

    @Test func variableLengthsArriveInRankOrder() throws {
        let group = ThreadGroup(size: 3)
        let messages: [[Float]] = [[1], [], [2, 3, 4]]
        let gathered = try group.run { rank in try rank.allgatherVariable(messages[rank.rank]) }
        for g in gathered { #expect(g == messages) }
        let bytes: [[UInt8]] = [[9, 8, 7, 6, 5], [], [0xFF]]
        let gatheredBytes = try group.run { rank in try rank.allgatherBytes(bytes[rank.rank]) }
        for g in gatheredBytes { #expect(g == bytes) }
    }

    @Test func sharesDealItemsInTurn() {
        let group = ThreadGroup(size: 3)
        #expect(group.ranks.map { Array($0.share(of: 7)) } == [[0, 3, 6], [1, 4], [2, 5]])
        #expect(group.ranks.map { Array($0.share(of: 2)) } == [[0], [1], []])
    }

    @Test func threadGroupCollectives() throws {
        let group = ThreadGroup(size: 4)
        let sums = try group.run { rank in try rank.allreduce([Float(rank.rank), 1]) }
        for s in sums { #expect(s == [6, 4]) }
        let maxima = try group.run { rank in try rank.allreduce([Float(rank.rank)], .max) }
        for m in maxima { #expect(m == [3]) }
        let roots = try group.run { rank in try rank.broadcast([Float(rank.rank * 10)], root: 2) }
        for r in roots { #expect(r == [20]) }
        _ = try group.run { rank in try rank.barrier() }
    }
}

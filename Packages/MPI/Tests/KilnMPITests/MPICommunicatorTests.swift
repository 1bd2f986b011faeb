import KilnDistributed
import KilnMPI
import Testing

/// MPI started without a launcher: one rank, whose collectives copy. The multi-rank tests
/// run real `mpirun` launches of the example programs (scripts/test-distributed.sh).
@Suite struct MPICommunicatorTests {
    @Test func withoutALauncherTheWorldIsOneRank() throws {
        let world = try MPICommunicator.world()
        #expect(world.rank == 0 && world.size == 1)
        #expect(try MPICommunicator.world() === world)
        let values: [Float] = [1, -0.0, .nan, .infinity, Float(bitPattern: 0x7FC0_1234)]
        #expect(try world.allgather(values).first?.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(try world.allreduce([1, 2]) == [1, 2])
        #expect(try world.broadcast([3], root: 0) == [3])
        #expect(throws: CommunicationError.self) { try world.broadcast([3], root: 1) }
        try world.barrier()
        #expect(try world.allgatherBytes(Array("kiln".utf8)) == [Array("kiln".utf8)])
        #expect(MPICommunicator.libraryVersion.contains("Open MPI"))
    }
}

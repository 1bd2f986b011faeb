import CMPI
import KilnDistributed

#if canImport(Glibc)
import Glibc
#endif

/// ``/KilnDistributed/Communicator`` over Open MPI's `MPI_COMM_WORLD`.
///
/// Start the program with `mpirun -np N PROGRAM …` (or `srun --mpi=pmix` under Slurm); a
/// program started without a launcher runs as a single rank. ``world()`` initializes MPI
/// once per process (thread level `MPI_THREAD_SERIALIZED`: Kiln calls MPI from one thread
/// at a time, never from its worker threads) and finalizes it at exit.
///
/// Errors: MPI's calls return their error codes (`MPI_ERRORS_RETURN`), which become
/// ``/KilnDistributed/CommunicationError``s naming the call; ``abort(exitCode:)`` is
/// `MPI_Abort`, which
/// ends every rank. Counts are `Int32`: buffers are sent in pieces of at most 2³⁰ floats.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    private let comm: MPI_Comm

    private nonisolated(unsafe) static var shared: MPICommunicator?

    /// The world communicator (MPI is initialized on the first call).
    public static func world() throws -> MPICommunicator {
        if let shared { return shared }
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 {
            var provided: Int32 = 0
            let code = MPI_Init_thread(nil, nil, kiln_mpi_thread_serialized(), &provided)
            guard code == kiln_mpi_success() else { throw CommunicationError("MPI_Init_thread failed (error \(code))") }
            atexit {
                var finalized: Int32 = 0
                MPI_Finalized(&finalized)
                if finalized == 0 { MPI_Finalize() }
            }
        }
        guard let comm = kiln_mpi_comm_world() else { throw CommunicationError("MPI_COMM_WORLD is not available") }
        MPI_Comm_set_errhandler(comm, kiln_mpi_errors_return())
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(comm, &rank)
        MPI_Comm_size(comm, &size)
        let made = MPICommunicator(comm: comm, rank: Int(rank), size: Int(size))
        shared = made
        return made
    }

    private init(comm: MPI_Comm, rank: Int, size: Int) {
        self.comm = comm
        self.rank = rank
        self.size = size
    }

    /// The Open MPI library version string (`MPI_Get_library_version`).
    public static var libraryVersion: String {
        var buffer = [CChar](repeating: 0, count: 512)
        var length: Int32 = 0
        MPI_Get_library_version(&buffer, &length)
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(separator: ",").first.map(String.init) ?? ""
    }

    private func check(_ code: Int32, _ call: String) throws {
        guard code != kiln_mpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(kiln_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        let message = String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw CommunicationError("\(call) failed on rank \(rank): \(message)")
    }

    /// Pieces of at most this many floats per call (MPI counts are Int32).
    static let pieceLimit = 1 << 30

    public func allgather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) throws {
        let count = send.count
        guard receive.count == count * size else {
            throw CommunicationError("allgather: receive holds \(receive.count) floats, expected \(count * size)")
        }
        guard count > 0 else { return }
        if count <= MPICommunicator.pieceLimit {
            try check(MPI_Allgather(send.baseAddress, Int32(count), kiln_mpi_float(),
                                    receive.baseAddress, Int32(count), kiln_mpi_float(), comm), "MPI_Allgather")
            return
        }
        // Larger than one call can carry: gather pieces, then put each rank's parts in place.
        var piece = [Float](repeating: 0, count: MPICommunicator.pieceLimit * size)
        var offset = 0
        while offset < count {
            let n = min(MPICommunicator.pieceLimit, count - offset)
            try piece.withUnsafeMutableBufferPointer { out in
                try check(MPI_Allgather(send.baseAddress! + offset, Int32(n), kiln_mpi_float(),
                                        out.baseAddress, Int32(n), kiln_mpi_float(), comm), "MPI_Allgather")
                for r in 0..<size {
                    (receive.baseAddress! + r * count + offset).update(from: out.baseAddress! + r * n, count: n)
                }
            }
            offset += n
        }
    }

    public func allreduce(_ buffer: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation) throws {
        let op: MPI_Op
        switch operation {
        case .sum: op = kiln_mpi_sum()
        case .max: op = kiln_mpi_max()
        case .min: op = kiln_mpi_min()
        }
        var offset = 0
        while offset < buffer.count {
            let n = min(MPICommunicator.pieceLimit, buffer.count - offset)
            try check(MPI_Allreduce(kiln_mpi_in_place(), buffer.baseAddress! + offset, Int32(n), kiln_mpi_float(), op, comm),
                      "MPI_Allreduce")
            offset += n
        }
    }

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {
        guard (0..<size).contains(root) else { throw CommunicationError("broadcast: root \(root) is not a rank (size \(size))") }
        var offset = 0
        while offset < buffer.count {
            let n = min(MPICommunicator.pieceLimit, buffer.count - offset)
            try check(MPI_Bcast(buffer.baseAddress! + offset, Int32(n), kiln_mpi_float(), Int32(root), comm), "MPI_Bcast")
            offset += n
        }
    }

    public func barrier() throws {
        try check(MPI_Barrier(comm), "MPI_Barrier")
    }

    public func abort(exitCode: Int32) -> Never {
        fflush(nil)
        MPI_Abort(comm, exitCode)
        exit(exitCode)
    }
}

/// A group of cooperating processes ("ranks") that exchange `Float` buffers: the one
/// interface Kiln's trainer, ensembles and searches use to go beyond one process.
///
/// Two implementations: ``SingleProcessCommunicator`` (size 1, no system dependency) and
/// `MPICommunicator` in KilnMPI (Open MPI). A user with another transport conforms their
/// own type; nothing else in Kiln depends on MPI.
///
/// **Collective calls.** Every rank must make the same collective calls in the same order
/// with the same element counts, as in MPI. A rank that stops calling (an error, a crash)
/// must end the job with ``abort(exitCode:)``: the others would otherwise wait forever.
///
/// **Exactness.** ``allgather(_:into:)`` and ``broadcast(_:root:)`` copy bits: any bit
/// pattern, NaN payloads and integers stored with `Float(bitPattern:)` included, arrives
/// unchanged. ``allreduce(_:_:)`` adds or compares in an order the transport chooses, so
/// its sums can differ in the last bits between rank counts; Kiln's trainer therefore
/// gathers per-shard sums and adds them in shard order itself (see `DataParallel`).
public protocol Communicator: AnyObject {
    /// This process's index, 0..<size. Rank 0 prints, saves and checkpoints.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Concatenates every rank's `send` (all of one length) in rank order into `receive`,
    /// whose count is `size * send.count`.
    func allgather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) throws
    /// Combines `buffer` element-wise over all ranks, in place, on every rank.
    func allreduce(_ buffer: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation) throws
    /// Copies rank `root`'s `buffer` into every rank's `buffer` (same count everywhere).
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws
    /// Returns on each rank once every rank has called it.
    func barrier() throws
    /// Ends every rank of the job with `exitCode` (after this rank printed its error).
    func abort(exitCode: Int32) -> Never
}

/// The element-wise operation of ``Communicator/allreduce(_:_:)``.
public enum ReduceOperation: Sendable {
    /// Element-wise sum, maximum or minimum over the ranks.
    case sum, max, min
}

/// A failed collective call (the transport's error code and text).
public struct CommunicationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// An error with the transport's message.
    public init(_ description: String) { self.description = description }
}

/// The communicator of a job with one process: every collective is a copy or nothing.
public final class SingleProcessCommunicator: Communicator {
    /// The communicator of this one process (rank 0 of 1).
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }

    public func allgather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) throws {
        guard receive.count == send.count else {
            throw CommunicationError("allgather: receive holds \(receive.count) floats, expected \(send.count)")
        }
        if let source = send.baseAddress, let target = receive.baseAddress { target.update(from: source, count: send.count) }
    }

    public func allreduce(_ buffer: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation) throws {}
    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {
        guard root == 0 else { throw CommunicationError("broadcast: root \(root) is not a rank of a 1-process job") }
    }
    public func barrier() throws {}
    public func abort(exitCode: Int32) -> Never { exitProcess(exitCode) }
}

import Foundation

/// Ranks that are threads of one process: a ``Communicator`` for tests and for trying
/// multi-rank code without a launcher. ``run(_:)`` starts one thread per rank, gives each
/// its ``ThreadGroup/Rank``, and returns the bodies' results in rank order.
///
/// The collectives meet at a rendezvous: each rank deposits its buffer and the last to
/// arrive publishes all of them. `allreduce` adds in rank order.
public final class ThreadGroup: @unchecked Sendable {
    /// The group's ranks (rank r is `ranks[r]`).
    public let ranks: [Rank]
    private let condition = NSCondition()
    private var deposits: [[Float]?]
    private var published: [[Float]] = []
    private var generation = 0

    /// A group of `size` ranks (at least 1); `run(_:)` starts their threads.
    public init(size: Int) {
        precondition(size >= 1, "ThreadGroup: size must be at least 1")
        deposits = Array(repeating: nil, count: size)
        ranks = (0..<size).map { Rank(rank: $0, size: size) }
        for rank in ranks { rank.group = self }
    }

    /// Runs `body` once per rank, each on its own thread, and returns the results in rank
    /// order (rethrowing the first rank's error, if any).
    public func run<T>(_ body: @escaping (Rank) throws -> T) throws -> [T] {
        // The body runs on the ranks' threads; like a Thread's block, the caller answers for it.
        nonisolated(unsafe) let body = body
        let box = ResultBox<T>(count: ranks.count)
        let done = DispatchGroup()
        for rank in ranks {
            done.enter()
            let thread = Thread {
                let result = Result { try body(rank) }
                box.set(rank.rank, result)
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return try box.values.map { try $0!.get() }
    }

    /// Deposits rank `rank`'s buffer; returns every rank's once all have deposited.
    fileprivate func exchange(_ rank: Int, _ values: [Float]) -> [[Float]] {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        deposits[rank] = values
        if deposits.allSatisfy({ $0 != nil }) {
            published = deposits.map { $0! }
            deposits = Array(repeating: nil, count: deposits.count)
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        return published
    }

    /// One rank of a ``ThreadGroup``.
    public final class Rank: Communicator, @unchecked Sendable {
        public let rank: Int
        public let size: Int
        fileprivate weak var group: ThreadGroup?

        fileprivate init(rank: Int, size: Int) {
            self.rank = rank
            self.size = size
        }

        private func exchange(_ values: [Float]) -> [[Float]] { group!.exchange(rank, values) }

        public func allgather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) throws {
            guard receive.count == send.count * size else {
                throw CommunicationError("allgather: receive holds \(receive.count) floats, expected \(send.count * size)")
            }
            let all = exchange(Array(send))
            var at = 0
            for part in all {
                guard part.count == send.count else { throw CommunicationError("allgather: ranks sent different counts") }
                for v in part { receive[at] = v; at += 1 }
            }
        }

        public func allreduce(_ buffer: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation) throws {
            let all = exchange(Array(buffer))
            for i in 0..<buffer.count {
                var v = all[0][i]
                for part in all.dropFirst() {
                    switch operation {
                    case .sum: v += part[i]
                    case .max: v = Swift.max(v, part[i])
                    case .min: v = Swift.min(v, part[i])
                    }
                }
                buffer[i] = v
            }
        }

        public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {
            guard (0..<size).contains(root) else { throw CommunicationError("broadcast: root \(root) is not a rank (size \(size))") }
            let all = exchange(Array(buffer))
            for i in 0..<buffer.count { buffer[i] = all[root][i] }
        }

        public func barrier() throws { _ = exchange([]) }

        /// Ends the process (the whole group): threads cannot be ended alone.
        public func abort(exitCode: Int32) -> Never { exitProcess(exitCode) }
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<T, Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<T, Error>) { lock.lock(); values[i] = r; lock.unlock() }
}

/// Array and byte conveniences built on the five collectives, for every ``Communicator``.
extension Communicator {
    /// Every rank's `values` (all of one length), in rank order.
    public func allgather(_ values: [Float]) throws -> [[Float]] {
        let count = values.count
        var all = [Float](repeating: 0, count: count * size)
        try values.withUnsafeBufferPointer { send in
            try all.withUnsafeMutableBufferPointer { try allgather(send, into: $0) }
        }
        return (0..<size).map { Array(all[($0 * count)..<(($0 + 1) * count)]) }
    }

    /// Every rank's `values`, of any lengths, in rank order (two collectives: the lengths,
    /// then the values padded to the longest).
    public func allgatherVariable(_ values: [Float]) throws -> [[Float]] {
        let lengths = try allgather([Float(bitPattern: UInt32(truncatingIfNeeded: values.count)),
                                     Float(bitPattern: UInt32(truncatingIfNeeded: values.count >> 32))])
            .map { Int($0[0].bitPattern) | Int($0[1].bitPattern) << 32 }
        let longest = lengths.max() ?? 0
        let padded = values + [Float](repeating: 0, count: longest - values.count)
        return zip(try allgather(padded), lengths).map { Array($0.0.prefix($0.1)) }
    }

    /// Every rank's bytes, of any lengths, in rank order (bit-exact: the bytes travel as
    /// the bit patterns of floats).
    public func allgatherBytes(_ bytes: [UInt8]) throws -> [[UInt8]] {
        var words = [Float](repeating: 0, count: (bytes.count + 3) / 4)
        words.withUnsafeMutableBytes { raw in raw.copyBytes(from: bytes) }
        return try allgatherVariable(words + [Float(bitPattern: UInt32(truncatingIfNeeded: bytes.count))]).map { words in
            let count = Int(words.last?.bitPattern ?? 0)
            return words.dropLast().withUnsafeBytes { Array($0.prefix(count)) }
        }
    }

    /// Rank `root`'s `values` on every rank (the other ranks' `values` give only the count).
    public func broadcast(_ values: [Float], root: Int) throws -> [Float] {
        var copy = values
        try copy.withUnsafeMutableBufferPointer { try broadcast($0, root: root) }
        return copy
    }

    /// The element-wise sum over ranks (the transport's order: not bit-reproducible
    /// across rank counts; use ``allgather(_:)`` and add in a fixed order for that).
    public func allreduce(_ values: [Float], _ operation: ReduceOperation = .sum) throws -> [Float] {
        var copy = values
        try copy.withUnsafeMutableBufferPointer { try allreduce($0, operation) }
        return copy
    }

    /// Whether this is the rank that prints, saves and checkpoints.
    public var isRoot: Bool { rank == 0 }

    /// The items `0..<count` this rank owns when they are dealt out in turn:
    /// rank r takes r, r + size, r + 2·size, …
    public func share(of count: Int) -> StrideTo<Int> { stride(from: rank, to: count, by: size) }
}

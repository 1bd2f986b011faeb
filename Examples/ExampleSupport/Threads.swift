import ArgumentParser
import KilnTensor

/// `--threads` and `--shards`, checked the same way in every example.
///
/// `--threads` defaults to the cores this process may use (``Parallel/availableCores``,
/// its CPU affinity mask); results never depend on it. `--shards` fixes how each mini-batch
/// is split, which is part of the result (see the Training README).

/// The help text of `--threads`, naming the default on this machine.
public let threadsHelp = ArgumentHelp(
    "Worker threads; the default is the number of cores this process may use (its CPU affinity mask). Results do not depend on it; BLAS runs single-threaded in each worker.")

/// The help text of `--shards`.
public let shardsHelp = ArgumentHelp(
    "Slices per mini-batch, trained in parallel (default: one per 64 rows, 2 for a batch of 128). Part of the result: BatchNorm normalizes each shard with its own statistics.")

/// A usage error unless 1 <= threads <= ``Parallel/maximumThreads``.
public func validateThreads(_ threads: Int) throws {
    guard threads >= 1 && threads <= Parallel.maximumThreads else {
        throw ValidationError("--threads must be between 1 and \(Parallel.maximumThreads), got \(threads)")
    }
}

/// A usage error unless 1 <= shards <= ``Parallel/maximumThreads``.
public func validateShards(_ shards: Int) throws {
    guard shards >= 1 && shards <= Parallel.maximumThreads else {
        throw ValidationError("--shards must be between 1 and \(Parallel.maximumThreads), got \(shards)")
    }
}

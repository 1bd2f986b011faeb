import KilnTensor

/// How many members train at once and how many worker threads each member's trainer uses.
///
/// The rule: `jobs` members at a time (default: the cores, at most the members), and the
/// `threads` (default: the cores) shared out evenly, `threadsPerMember = max(1, threads / jobs)`,
/// so that jobs × threads per member does not exceed the cores. Every member's trainer
/// runs its shards on its own threads with BLAS single-threaded (see
/// ``/KilnTraining/Trainer``), and a
/// trainer's result does not depend on its thread count, so the ensemble is bit-identical
/// for any `jobs` and `threads`. (Before the data-parallel trainer, members used BLAS
/// threads, whose results depend on the count; that constraint is gone.)
///
/// The members run as child tasks of a task group on Swift's cooperative pool, which has
/// one thread per core: `jobs` above the core count is allowed but does not run more
/// members at once.
public struct Parallelism: Sendable, Equatable {
    /// Members trained at the same time.
    public let jobs: Int
    /// Worker threads of each member's trainer.
    public let threadsPerMember: Int
    /// The cores the plan was made for.
    public let cores: Int

    /// The cores this process may use (its CPU affinity mask,
    /// ``/KilnTensor/Parallel/availableCores``).
    public static var availableCores: Int { Parallel.availableCores }

    /// Threads per member under the name of the earlier API (BLAS threads per member).
    @available(*, deprecated, renamed: "threadsPerMember")
    public var blasThreads: Int { threadsPerMember }

    /// Throws ``EnsembleError/invalidConfiguration(_:)`` when `jobs` or `threads` is given
    /// and below 1.
    public init(members: Int, jobs: Int? = nil, threads: Int? = nil, cores: Int = Parallelism.availableCores) throws {
        if let jobs, jobs < 1 { throw EnsembleError.invalidConfiguration("jobs must be at least 1, got \(jobs)") }
        if let threads, threads < 1 { throw EnsembleError.invalidConfiguration("threads must be at least 1, got \(threads)") }
        let cores = max(1, cores)
        let j = max(1, min(jobs ?? cores, max(1, members)))
        self.jobs = j
        self.threadsPerMember = max(1, (threads ?? cores) / j)
        self.cores = cores
    }

    /// The earlier API: `blasThreads` is the threads of each member's trainer.
    @available(*, deprecated, message: "use init(members:jobs:threads:cores:), whose threads are the total")
    public init(members: Int, jobs: Int? = nil, blasThreads: Int?, cores: Int = Parallelism.availableCores) throws {
        if let blasThreads, blasThreads < 1 { throw EnsembleError.invalidConfiguration("threads must be at least 1, got \(blasThreads)") }
        let plan = try Parallelism(members: members, jobs: jobs, cores: cores)
        self.jobs = plan.jobs
        threadsPerMember = blasThreads ?? plan.threadsPerMember
        self.cores = plan.cores
    }
}

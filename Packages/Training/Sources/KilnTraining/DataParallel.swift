import Dispatch
import KilnData
import KilnDistributed
import KilnLayers
import KilnTensor

/// Data parallelism inside one process: the engine behind ``Trainer``'s steps, evaluation
/// and prediction.
///
/// **Shards.** A mini-batch of n rows is cut into `shards` contiguous slices, a number
/// fixed by the trainer that never depends on the thread count: shard s holds
/// ⌊n/S⌋ rows, plus one for the first n mod S shards (so shard 0 is never empty, and a
/// batch smaller than S leaves the last shards empty). Each shard runs on its own model:
/// shard 0 on the trainer's model, shard s > 0 on a replica built from the same spec.
/// Replicas share the parameter values (the same storage, read-only during the step) and
/// keep their own gradients, activations and workspaces.
///
/// **One step.** Every shard gathers its rows from the dataset (augmentation runs here,
/// in the workers), re-seeds its randomness for its first sample (dropout draws per
/// sample, see ``Dropout``), runs forward, the loss of its rows scaled by 1/n (the whole
/// batch's mean) and backward. Then the shard gradients are summed into the model's in
/// shard order, g = ((g₀ + g₁) + g₂) + …, split by element ranges over the workers (each
/// element's sum has that order whoever computes it). Buffers (BatchNorm's running
/// statistics) are averaged over the non-empty shards in shard order: each shard
/// updates its copy from the same start, so the mean is the update with the mean of the
/// shards' statistics. BatchNorm normalizes each shard with that shard's statistics
/// ("ghost" batch normalization over n/S rows).
///
/// Workers are threads of ``Parallel/forEach(_:threads:_:)``; BLAS runs single-threaded
/// inside them. Nothing a worker computes depends on which worker it is or how many there
/// are, so the weights are bit-identical for any thread count.
///
/// **Across processes.** With a ``Communicator`` of P ranks, the shards of every batch are
/// dealt out in turn (rank r runs shards r, r + P, …, each on its own model), every rank
/// packs its shards' gradients, buffers and counts into one message, `allgather` gives
/// every rank every shard's, and each rank adds them in shard order exactly as above.
/// The adds are the same float operations on the same values, so the weights are
/// bit-identical for any number of ranks (and to a run without a communicator), and every
/// rank holds the same model after every step. Evaluation deals out its chunks the same
/// way and gathers the per-chunk losses and predictions.
///
/// A model whose spec cannot be rebuilt through the ``layers`` registry (a layer that is not
/// registered, or whose description does not round-trip) cannot have replicas: it trains
/// on one shard, at any thread count.
final class DataParallel {
    let model: Sequential
    /// Shards per batch (1 when the model cannot be replicated).
    let shards: Int
    /// The shard count asked for.
    let requestedShards: Int
    /// The processes that share each batch (nil: this process alone).
    let communicator: (any Communicator)?
    /// Models for local slots 1..<slots (shards, or evaluation workers).
    private var replicas: [Sequential] = []
    private let parameters: [Parameter]
    private let buffers: [Parameter]
    /// The gradient sum's work items, (parameter, element range), fixed by the shapes.
    private let reductionItems: [(parameter: Int, range: Range<Int>)]
    /// Parameter values of replicas point here between steps, so that the optimizer's
    /// in-place update of the model does not copy (no other reference to its storage).
    private static let detached = Tensor(shape: [0], scalars: [])

    /// - Parameter workers: models to keep for evaluation (at least the local shards).
    init(model: Sequential, shards requested: Int, communicator: (any Communicator)? = nil, workers: Int = 1) {
        self.model = model
        requestedShards = requested
        let ranks = max(1, communicator?.size ?? 1)
        self.communicator = ranks > 1 ? communicator : nil
        let parameters = model.parameters
        self.parameters = parameters
        buffers = model.buffers
        reductionItems = parameters.indices.flatMap { i in
            let count = parameters[i].gradient.count
            return stride(from: 0, to: count, by: DataParallel.reductionChunk).map {
                (parameter: i, range: $0..<min(count, $0 + DataParallel.reductionChunk))
            }
        }
        // This rank's shards per batch: all of them in one process, ⌈S/P⌉ over P ranks.
        let slots = max((requested + ranks - 1) / ranks, ranks > 1 ? workers : requested)
        var made: [Sequential] = []
        var replicable = true
        if requested > 1 || slots > 1 {
            for _ in 0..<max(1, slots - 1) {
                guard let replica = DataParallel.replicate(model) else { replicable = false; made = []; break }
                made.append(replica)
            }
            if slots == 1 { made = [] }
        }
        replicas = made
        shards = replicable ? requested : 1
    }

    /// A model of the same architecture, or nil when the spec does not rebuild to the same
    /// parameter and buffer names and shapes.
    private static func replicate(_ model: Sequential) -> Sequential? {
        var rng = RandomGenerator(seed: 0)
        guard let copy = try? Sequential.build(spec: model.description, inputShape: model.inputShape, rng: &rng) else { return nil }
        let same = { (a: [Parameter], b: [Parameter]) in
            a.count == b.count && zip(a, b).allSatisfy { $0.name == $1.name && $0.shape == $1.shape }
        }
        guard same(copy.parameters, model.parameters), same(copy.buffers, model.buffers) else { return nil }
        copy.needsInputGradient = model.needsInputGradient
        for p in copy.parameters { p.value = detached }
        return copy
    }

    /// The model that runs shard (or chunk) `index`.
    private func modelFor(_ index: Int) -> Sequential { index == 0 ? model : replicas[index - 1] }

    /// Points the first `count - 1` replicas' parameters at the model's values and copies
    /// its buffers into theirs (no allocation after the first step).
    private func attach(_ count: Int, copyBuffers: Bool) {
        for r in 0..<max(0, count - 1) {
            let replica = replicas[r]
            for (mine, theirs) in zip(replica.parameters, parameters) { mine.value = theirs.value }
            if copyBuffers {
                for (mine, theirs) in zip(replica.buffers, buffers) {
                    theirs.value.withUnsafeBufferPointer { src in
                        mine.value.withUnsafeMutableBufferPointer { dst in dst.baseAddress!.update(from: src.baseAddress!, count: src.count) }
                    }
                }
            }
        }
    }

    private func detach() {
        for replica in replicas { for p in replica.parameters { p.value = DataParallel.detached } }
    }

    /// The row range of shard `s` in a batch of `n` rows.
    func shardRange(_ s: Int, of n: Int) -> Range<Int> {
        let base = n / shards, extra = n % shards
        let lower = s * base + min(s, extra)
        return lower..<(lower + base + (s < extra ? 1 : 0))
    }

    /// What one step measured: the loss summed over the batch and the correct predictions.
    struct StepResult {
        var lossSum: Double
        var correct: Int
        var count: Int
        /// Whether the step's `update` ran (the parameters hold their new values).
        var updated = false
    }

    /// Forward and backward over one batch: afterwards every model parameter's `gradient`
    /// holds dL/dθ of the batch's mean loss, and the buffers are updated.
    ///
    /// - Parameters:
    ///   - firstSample: the batch's first position in the epoch (the dropout stream index).
    ///   - seed: the epoch's randomness seed.
    ///   - update: given the batch's totals, the optimizer's update of an element range of
    ///     model parameter i, or nil to leave the parameters alone. When given and it returns
    ///     one (one process only), each range is updated right after its shard gradients are
    ///     summed, by the same worker, while they are in cache; the result says `updated`.
    func step(indices: ArraySlice<Int>, data: any Dataset, loss: any Loss,
              seed: UInt64, firstSample: Int, threads: Int,
              update: ((StepResult) -> ((Int, Range<Int>) -> Void)?)? = nil) throws -> StepResult {
        let n = indices.count
        let active = min(shards, n)
        // The shards this process runs: all of them, or its turn of them over the ranks.
        let mine = communicator.map { Array($0.share(of: active)) } ?? Array(0..<active)
        attach(mine.count, copyBuffers: !buffers.isEmpty)
        defer { detach() }
        var results = [StepResult](repeating: StepResult(lossSum: 0, correct: 0, count: 0), count: mine.count)
        results.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(mine.count, threads: threads) { j, _ in
                let range = shardRange(mine[j], of: n)
                let rows = Array(indices[(indices.startIndex + range.lowerBound)..<(indices.startIndex + range.upperBound)])
                let net = modelFor(j)
                let (x, labels) = data.batch(rows)
                net.reseed(seed, firstSample: firstSample + range.lowerBound)
                let logits = net.forward(x, training: true)
                let (lossSum, gradient) = loss.shardLossAndGradient(logits: logits, labels: labels, batchCount: n)
                _ = net.backward(gradient)
                var correct = 0
                for (p, y) in zip(logits.argmaxIndices(), labels) where p == y { correct += 1 }
                out[j] = StepResult(lossSum: lossSum, correct: correct, count: labels.count)
            }
        }
        if let communicator {
            results = try exchange(local: results, active: active, communicator: communicator, threads: threads)
        }
        var total = StepResult(lossSum: 0, correct: 0, count: 0)
        for r in results {
            total.lossSum += r.lossSum
            total.correct += r.correct
            total.count += r.count
        }
        if communicator == nil {
            // The replicas let go of the parameter values first, so that an update in the
            // reduction writes them in place (a shared tensor would be copied).
            detach()
            averageBuffers(active: active)
            let result = total
            total.updated = reduceGradients(active: active, threads: threads, then: update.map { f in { f(result) } })
            if total.updated { fusedSteps += 1 }
        }
        return total
    }

    // MARK: Across processes

    /// Floats per shard in a rank's message: gradients, buffers, then the step counts
    /// (loss sum as a Double's bits, correct and count as 64-bit integers' bits).
    private var messageSlot: Int {
        parameters.reduce(0) { $0 + $1.gradient.count } + buffers.reduce(0) { $0 + $1.value.count } + 6
    }

    /// Sends this rank's shard gradients, buffers and counts to every rank, receives
    /// everyone's, and leaves in the model the gradient sum and buffer mean in shard
    /// order (the float operations of the one-process path). Returns every shard's counts
    /// in shard order.
    private func exchange(local: [StepResult], active: Int, communicator: any Communicator, threads: Int) throws -> [StepResult] {
        var started = DispatchTime.now().uptimeNanoseconds
        defer { exchangeNanoseconds += DispatchTime.now().uptimeNanoseconds - started }
        if separatesWaiting {
            try communicator.barrier()
            let now = DispatchTime.now().uptimeNanoseconds
            waitingNanoseconds += now - started
            started = now
        }
        let ranks = communicator.size
        let perRank = (active + ranks - 1) / ranks
        let slot = messageSlot
        // The message buffers live as long as the engine: a fresh megabyte per step would
        // cost page faults and a zero fill. Slots this rank does not fill stay as they were
        // (their content is never read: shard s is read only from its own rank's slot).
        if send.count != perRank * slot { send = [Float](repeating: 0, count: perRank * slot) }
        send.withUnsafeMutableBufferPointer { out in
            for (j, result) in local.enumerated() {
                var at = j * slot
                let net = modelFor(j)
                for tensor in net.parameters.map(\.gradient) + net.buffers.map(\.value) {
                    tensor.withUnsafeBufferPointer { (out.baseAddress! + at).update(from: $0.baseAddress!, count: $0.count) }
                    at += tensor.count
                }
                for word in [result.lossSum.bitPattern, UInt64(result.correct), UInt64(result.count)] {
                    out[at] = Float(bitPattern: UInt32(truncatingIfNeeded: word))
                    out[at + 1] = Float(bitPattern: UInt32(truncatingIfNeeded: word >> 32))
                    at += 2
                }
            }
        }
        if received.count != ranks * perRank * slot { received = [Float](repeating: 0, count: ranks * perRank * slot) }
        let gatherStarted = DispatchTime.now().uptimeNanoseconds
        try send.withUnsafeBufferPointer { source in
            try received.withUnsafeMutableBufferPointer { try communicator.allgather(source, into: $0) }
        }
        allgatherNanoseconds += DispatchTime.now().uptimeNanoseconds - gatherStarted
        var results: [StepResult] = []
        try received.withUnsafeBufferPointer { all in
            // Shard s came from rank s mod P, as that rank's (s div P)-th shard.
            let shardBase = (0..<active).map { s in all.baseAddress! + ((s % ranks) * perRank + s / ranks) * slot }
            var offset = 0
            var parameterOffsets: [Int] = []
            for p in parameters { parameterOffsets.append(offset); offset += p.gradient.count }
            let items = reductionItems
            let targets = parameters.map { p in p.gradient.withUnsafeMutableBufferPointer { $0.baseAddress! } }
            Parallel.forEach(items.count, threads: threads) { k, _ in
                let (i, range) = items[k]
                let target = targets[i]
                // g₀ + g₁ in one pass (the same float additions as copying g₀ and adding g₁),
                // then + g₂, … in shard order.
                let first = shardBase[0] + parameterOffsets[i]
                if active > 1 {
                    let second = shardBase[1] + parameterOffsets[i]
                    for e in range { target[e] = first[e] + second[e] }
                } else {
                    for e in range { target[e] = first[e] }
                }
                for s in 2..<max(2, active) {
                    let source = shardBase[s] + parameterOffsets[i]
                    for e in range { target[e] += source[e] }
                }
            }
            for buffer in buffers {
                let at = offset
                buffer.value.withUnsafeMutableBufferPointer { target in
                    for e in 0..<target.count { target[e] = shardBase[0][at + e] }
                    if active > 1 {
                        for s in 1..<active { for e in 0..<target.count { target[e] += shardBase[s][at + e] } }
                        let scale = 1 / Float(active)
                        for e in 0..<target.count { target[e] *= scale }
                    }
                }
                offset += buffer.value.count
            }
            for s in 0..<active {
                let words = (0..<3).map { w in
                    UInt64(shardBase[s][offset + 2 * w].bitPattern) | UInt64(shardBase[s][offset + 2 * w + 1].bitPattern) << 32
                }
                results.append(StepResult(lossSum: Double(bitPattern: words[0]), correct: Int(words[1]), count: Int(words[2])))
            }
            guard results.count == active else { throw CommunicationError("a step's message is malformed") }
        }
        return results
    }

    /// Steps whose optimizer update ran inside the gradient sum (see `step`'s `update`).
    private(set) var fusedSteps = 0

    /// This rank's message and the gathered messages (kept to avoid an allocation per step).
    private var send: [Float] = []
    private var received: [Float] = []
    /// Time spent in `exchange` (packing, the allgather, the sum) and in the allgather
    /// alone, since this engine was made: the cost of the ranks over one process.
    private(set) var exchangeNanoseconds: UInt64 = 0
    private(set) var allgatherNanoseconds: UInt64 = 0
    /// With `separatesWaiting`, a barrier before each allgather splits the time a rank
    /// waits for slower ranks (load imbalance) from the transfer itself, counted here and
    /// not in the two above. Off by default: the barrier is one more round trip per step.
    var separatesWaiting = false
    private(set) var waitingNanoseconds: UInt64 = 0

    /// Elements per reduction work item: large enough to amortize the dispatch, small
    /// enough to split the first dense layer of an MLP over the workers.
    private static let reductionChunk = 1 << 15

    /// g_model += g_1 + … in shard order, over element ranges in parallel. When `then`
    /// gives a range update (asked once, after the gradients' pointers are taken), it runs on
    /// each range right after its sum, by the same worker, also with a single shard.
    /// Returns whether it ran.
    @discardableResult
    private func reduceGradients(active: Int, threads: Int, then: (() -> ((Int, Range<Int>) -> Void)?)? = nil) -> Bool {
        guard active > 1 || then != nil else { return false }
        let items = reductionItems
        // Raw pointers taken once, outside the workers: the tensors are not resized meanwhile.
        var targets: [UnsafeMutablePointer<Float>] = []
        var sources: [[UnsafePointer<Float>]] = []
        for (i, p) in parameters.enumerated() {
            targets.append(p.gradient.withUnsafeMutableBufferPointer { $0.baseAddress! })
            sources.append((1..<max(1, active)).map { s in replicas[s - 1].parameters[i].gradient.withUnsafeBufferPointer { $0.baseAddress! } })
        }
        let update = then?()
        guard active > 1 || update != nil else { return false }
        Parallel.forEach(items.count, threads: threads) { k, _ in
            let (i, range) = items[k]
            let target = targets[i]
            for source in sources[i] {
                for e in range { target[e] += source[e] }
            }
            update?(i, range)
        }
        return update != nil
    }

    /// Each buffer becomes the mean over the non-empty shards, summed in shard order.
    private func averageBuffers(active: Int) {
        guard active > 1, !buffers.isEmpty else { return }
        let scale = 1 / Float(active)
        for (i, buffer) in buffers.enumerated() {
            buffer.value.withUnsafeMutableBufferPointer { target in
                for s in 1..<active {
                    replicas[s - 1].buffers[i].value.withUnsafeBufferPointer { source in
                        for e in 0..<target.count { target[e] += source[e] }
                    }
                }
                for e in 0..<target.count { target[e] *= scale }
            }
        }
    }

    // MARK: Evaluation and prediction

    /// Runs `body` on consecutive chunks of `batchSize` rows out of `count`, in evaluation
    /// mode, spread over up to `threads` models, and returns the results in chunk order.
    /// Chunks are fixed by `batchSize` alone, so the results do not depend on `threads`.
    /// `only` restricts the work to some chunks (a rank's turn); the results are theirs,
    /// in that order.
    func mapChunks<T>(count: Int, batchSize: Int, threads: Int, only: [Int]? = nil,
                      _ body: (Sequential, Range<Int>) -> T) -> [T] {
        precondition(batchSize > 0, "evaluation batch size must be positive")
        let chunkList = only ?? Array(0..<Batches.count(examples: count, batchSize: batchSize, dropLast: false))
        let workers = max(1, min(threads, replicas.count + 1, chunkList.count))
        attach(workers, copyBuffers: true)
        defer { detach() }
        var results = [T?](repeating: nil, count: chunkList.count)
        results.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(chunkList.count, threads: workers) { j, worker in
                let lower = chunkList[j] * batchSize
                out[j] = body(modelFor(worker), lower..<min(count, lower + batchSize))
            }
        }
        return results.map { $0! }
    }
}

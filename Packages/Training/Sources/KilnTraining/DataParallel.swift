import KilnData
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
/// A model whose spec cannot be rebuilt through the ``layers`` registry (a layer that is not
/// registered, or whose description does not round-trip) cannot have replicas: it trains
/// on one shard, at any thread count.
final class DataParallel {
    let model: Sequential
    /// Shards per batch (1 when the model cannot be replicated).
    let shards: Int
    /// The shard count asked for.
    let requestedShards: Int
    /// Models for shards 1..<shards.
    private var replicas: [Sequential] = []
    private let parameters: [Parameter]
    private let buffers: [Parameter]
    /// The gradient sum's work items, (parameter, element range), fixed by the shapes.
    private let reductionItems: [(parameter: Int, range: Range<Int>)]
    /// Parameter values of replicas point here between steps, so that the optimizer's
    /// in-place update of the model does not copy (no other reference to its storage).
    private static let detached = Tensor(shape: [0], scalars: [])

    init(model: Sequential, shards requested: Int) {
        self.model = model
        requestedShards = requested
        let parameters = model.parameters
        self.parameters = parameters
        buffers = model.buffers
        reductionItems = parameters.indices.flatMap { i in
            let count = parameters[i].gradient.count
            return stride(from: 0, to: count, by: DataParallel.reductionChunk).map {
                (parameter: i, range: $0..<min(count, $0 + DataParallel.reductionChunk))
            }
        }
        var made: [Sequential] = []
        if requested > 1 {
            for _ in 1..<requested {
                guard let replica = DataParallel.replicate(model) else { made = []; break }
                made.append(replica)
            }
        }
        replicas = made
        shards = made.count + 1
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
    }

    /// Forward and backward over one batch: afterwards every model parameter's `gradient`
    /// holds dL/dθ of the batch's mean loss, and the buffers are updated.
    ///
    /// - Parameters:
    ///   - firstSample: the batch's first position in the epoch (the dropout stream index).
    ///   - seed: the epoch's randomness seed.
    func step(indices: ArraySlice<Int>, data: any Dataset, loss: SoftmaxCrossEntropy,
              seed: UInt64, firstSample: Int, threads: Int) -> StepResult {
        let n = indices.count
        let active = min(shards, n)
        attach(active, copyBuffers: !buffers.isEmpty)
        var results = [StepResult](repeating: StepResult(lossSum: 0, correct: 0, count: 0), count: active)
        results.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(active, threads: threads) { s, _ in
                let range = shardRange(s, of: n)
                let rows = Array(indices[(indices.startIndex + range.lowerBound)..<(indices.startIndex + range.upperBound)])
                let net = modelFor(s)
                let (x, labels) = data.batch(rows)
                net.reseed(seed, firstSample: firstSample + range.lowerBound)
                let logits = net.forward(x, training: true)
                let (lossSum, gradient) = loss.shardLossAndGradient(logits: logits, labels: labels, batchCount: n)
                _ = net.backward(gradient)
                var correct = 0
                for (p, y) in zip(logits.argmaxIndices(), labels) where p == y { correct += 1 }
                out[s] = StepResult(lossSum: lossSum, correct: correct, count: labels.count)
            }
        }
        reduceGradients(active: active, threads: threads)
        averageBuffers(active: active)
        detach()
        var total = StepResult(lossSum: 0, correct: 0, count: 0)
        for r in results {
            total.lossSum += r.lossSum
            total.correct += r.correct
            total.count += r.count
        }
        return total
    }

    /// Elements per reduction work item: large enough to amortize the dispatch, small
    /// enough to split the first dense layer of an MLP over the workers.
    private static let reductionChunk = 1 << 15

    /// g_model += g_1 + … in shard order, over element ranges in parallel.
    private func reduceGradients(active: Int, threads: Int) {
        guard active > 1 else { return }
        let items = reductionItems
        // Raw pointers taken once, outside the workers: the tensors are not resized meanwhile.
        var targets: [UnsafeMutablePointer<Float>] = []
        var sources: [[UnsafePointer<Float>]] = []
        for (i, p) in parameters.enumerated() {
            targets.append(p.gradient.withUnsafeMutableBufferPointer { $0.baseAddress! })
            sources.append((1..<active).map { s in replicas[s - 1].parameters[i].gradient.withUnsafeBufferPointer { $0.baseAddress! } })
        }
        Parallel.forEach(items.count, threads: threads) { k, _ in
            let (i, range) = items[k]
            let target = targets[i]
            for source in sources[i] {
                for e in range { target[e] += source[e] }
            }
        }
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
    func mapChunks<T>(count: Int, batchSize: Int, threads: Int, _ body: (Sequential, Range<Int>) -> T) -> [T] {
        precondition(batchSize > 0, "evaluation batch size must be positive")
        let chunks = (count + batchSize - 1) / batchSize
        let workers = max(1, min(threads, shards, chunks))
        attach(workers, copyBuffers: true)
        defer { detach() }
        var results = [T?](repeating: nil, count: chunks)
        results.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(chunks, threads: workers) { c, worker in
                let lower = c * batchSize
                out[c] = body(modelFor(worker), lower..<min(count, lower + batchSize))
            }
        }
        return results.map { $0! }
    }
}

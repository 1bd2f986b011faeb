import Foundation
import KilnPlot
import KilnTraining

/// The `--plot` figure: train and dev loss and accuracy per epoch, with the
/// early-stopping epoch marked.
public enum TrainingPlot {
    public static func write(history: [EpochRecord], bestEpoch: Int?, to path: String) throws {
        func series(_ name: String, _ values: [(Int, Double?)], dash: Bool) -> LineChart.Series? {
            let points = values.compactMap { e, v in v.map { Point(x: Double(e), y: $0) } }
            return points.isEmpty ? nil : LineChart.Series(name: name, points: points, color: nil, marker: .circle, dash: dash ? "6,3" : nil)
        }
        let markers = bestEpoch.map { [LineChart.VerticalMarker(x: Double($0), label: "best (early stopping)")] } ?? []
        let loss = LineChart(
            title: "Loss per epoch", xLabel: "epoch", yLabel: "loss",
            series: [series("train loss", history.map { ($0.epoch, $0.trainLoss) }, dash: false),
                     series("dev loss", history.map { ($0.epoch, $0.devLoss) }, dash: true)].compactMap { $0 },
            verticalMarkers: markers, width: 760, height: 440)
        let accuracy = LineChart(
            title: "Accuracy per epoch", xLabel: "epoch", yLabel: "accuracy",
            series: [series("train accuracy", history.map { ($0.epoch, $0.trainAccuracy) }, dash: false),
                     series("dev accuracy", history.map { ($0.epoch, $0.devAccuracy) }, dash: true)].compactMap { $0 },
            verticalMarkers: markers, width: 760, height: 440)
        // Two charts side by side in one SVG.
        let left = loss.svg(), right = accuracy.svg()
        let width = 1530, height = 450
        let body = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">\n"
            + "<g>\(stripHeader(left))</g>\n<g transform=\"translate(770,0)\">\(stripHeader(right))</g>\n</svg>\n"
        try writeAtomically(body, to: path)
    }

    /// Nests a standalone SVG as an inner `<svg>` element (drops the XML declaration).
    static func stripHeader(_ svg: String) -> String {
        guard let start = svg.range(of: "<svg") else { return svg }
        return String(svg[start.lowerBound...])
    }
}

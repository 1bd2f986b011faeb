import ArgumentParser
import KilnExampleSupport
import Foundation
import KilnAugmentation
import KilnData

/// `export-png --data fashion-mnist|idx:DIR --out DIR [--limit N]`: writes the IDX images
/// as 8-bit gray PNG files, `DIR/train/<class>/<i>.png` and `DIR/test/<class>/<i>.png`,
/// where `<i>` is the image's index in its IDX file and `<class>` is the label number
/// (for named classes `<label>-<name>`, e.g. `0-T-shirt_top`, '/' and spaces replaced by
/// '_'), so sorting the folders by name gives the label order. Every class folder is
/// created in both parts, even when `--limit` leaves it empty. Files are written
/// atomically. `ImageFolderDataset` (and `mnist-classifier --data png:DIR`) reads them back.
public struct ExportPNGCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "export-png",
        abstract: "Write IDX images as PNG files in class folders (DIR/train/<class>/<i>.png, DIR/test/...).")

    @Option(help: "fashion-mnist (Debian's files in /usr/share/datasets/fashion-mnist) or idx:DIR (an MNIST-style directory).")
    var data: String = "fashion-mnist"

    @Option(help: "The output directory (created if missing).")
    var out: String

    @Option(help: "Export only the first N images of each part.")
    var limit: Int?

    public func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be >= 0, got \(limit)") }
        guard data == "fashion-mnist" || (data.hasPrefix("idx:") && data.count > 4) else {
            throw ValidationError("--data must be fashion-mnist or idx:DIR, got '\(data)'")
        }
    }

    public func run() throws {
        let directory = data == "fashion-mnist" ? MNISTDirectory.fashionMNIST : MNISTDirectory(path: String(data.dropFirst(4)))
        var parts: [(name: String, images: IDXFile, labels: [Int])] = []
        for part in MNISTDirectory.Part.allCases {
            let files = try directory.files(for: part)
            let images = try IDXFile(contentsOf: files.images)
            guard images.rank == 3, images.dimensions[0] > 0 else {
                throw ExportError("\(files.images): expected images [N, rows, columns], got dimensions \(images.dimensions)")
            }
            let labels = try IDXFile(contentsOf: files.labels).labels(classCount: directory.classNames?.count)
            guard labels.count == images.dimensions[0] else {
                throw ExportError("\(files.labels): \(labels.count) labels for \(images.dimensions[0]) images")
            }
            parts.append((part.rawValue, images, labels))
        }
        let classCount = directory.classNames?.count ?? max(10, (parts.flatMap(\.labels).max() ?? 0) + 1)
        let digits = String(classCount - 1).count
        let folders = (0..<classCount).map { label -> String in
            let number = String(repeating: "0", count: digits - String(label).count) + String(label)
            guard let name = directory.classNames?[label], name != String(label) else { return number }
            return number + "-" + String(name.map { $0 == "/" || $0 == " " ? "_" : $0 })
        }
        let manager = FileManager.default
        var written = 0
        for part in parts {
            for folder in folders {
                let path = "\(out)/\(part.name)/\(folder)"
                do { try manager.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                    throw ExportError("\(path): cannot create the directory")
                }
            }
            let (n, rows, columns) = (part.images.dimensions[0], part.images.dimensions[1], part.images.dimensions[2])
            let count = min(n, limit ?? n)
            let size = rows * columns
            for i in 0..<count {
                let pixels = Array(part.images.data[(i * size)..<((i + 1) * size)])
                let image = try Image(width: columns, height: rows, channels: 1, pixels: pixels)
                try PNG.write(image, to: "\(out)/\(part.name)/\(folders[part.labels[i]])/\(i).png")
            }
            written += count
            print("\(part.name): \(count) images in \(out)/\(part.name)/<class>/")
        }
        print("wrote \(written) PNG files, \(classCount) classes")
    }

    /// Runs the command with the examples' error contract (`CommandMain`).
    public static func main() { CommandMain.run(ExportPNGCommand.self) }
}

struct ExportError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

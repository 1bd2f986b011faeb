import Foundation
import KilnData
import KilnFiles
import KilnTensor

/// A labelled dataset from a folder tree of PNG files, `root/<class>/*.png`:
/// ```
/// root/0-T-shirt_top/0.png  root/0-T-shirt_top/17.png  ...  root/9-Ankle_boot/12.png
/// ```
/// Classes are the sub-folder names sorted by name (byte order), label = position in that
/// order; empty class folders count (so train and test folders with the same classes get
/// the same labels even when one lacks examples of a class). Files ending in `.png` (any
/// case) are taken in name order; hidden files and other files are skipped.
///
/// Every image is decoded once at load time, converted to `channels` (libpng's colour to
/// gray conversion; transparency composited onto black) and, when its size differs,
/// resized to `width` x `height` (bilinear, half-pixel centres), then kept as Floats in
/// [0, 1] in one tensor. ``init(root:channels:size:layout:pixelLimit:)`` with nil keeps the
/// images' own colour (grey or RGB) and size. Inputs are `[channels * height * width]` (`.flattened`, CHW order,
/// the form MLPs take) or `[channels, height, width]` (`.chw`).
///
/// ```swift
/// let train = try ImageFolderDataset(root: "png/train", channels: 1, width: 28, height: 28)
/// let (x, y) = train.batch([0, 1, 2])   // x: [3, 784]
/// ```
public struct ImageFolderDataset: Dataset {
    /// The folder whose subfolders are the classes.
    public let root: String
    public let inputShape: [Int]
    public let classNames: [String]
    /// Paths of the examples, in dataset order.
    public let files: [String]
    /// All inputs, `[count] + inputShape`, and the labels.
    public let dataset: TensorDataset

    /// Loads `root` as `channels` x `height` x `width` images (every image converted and, when
    /// its size differs, resized). Throws ``ImageFolderError`` for a missing root, no class
    /// folders, no PNG files, or a file that does not decode (the message names the file).
    public init(root: String, channels: Int = 1, width: Int = 28, height: Int = 28,
                layout: TensorLayout = .flattened, pixelLimit: Int = PNG.defaultPixelLimit) throws {
        guard [1, 3, 4].contains(channels) else {
            throw ImageFolderError(path: root, message: "channels must be 1, 3 or 4, got \(channels)")
        }
        guard width >= 1, height >= 1 else {
            throw ImageFolderError(path: root, message: "width and height must be >= 1, got \(width)x\(height)")
        }
        try self.init(root: root, channels: Optional(channels), size: ImageSize(width: width, height: height),
                      layout: layout, pixelLimit: pixelLimit)
    }

    /// Loads `root` keeping what the images are unless told otherwise:
    /// - `channels` nil: grey (1) when every image is grey (with or without transparency),
    ///   RGB (3) otherwise; transparency is composited onto black. 1, 3 or 4 forces that many.
    /// - `size` nil: the images' own size, which must be the same for all (else an error
    ///   naming two files and their sizes); a size resizes every image that differs
    ///   (bilinear, half-pixel centres).
    public init(root: String, channels: Int?, size: ImageSize?, layout: TensorLayout = .flattened,
                pixelLimit: Int = PNG.defaultPixelLimit) throws {
        if let channels, ![1, 3, 4].contains(channels) {
            throw ImageFolderError(path: root, message: "channels must be 1, 3 or 4, got \(channels)")
        }
        let (classes, files, labels) = try ImageFolderDataset.listing(root)
        // Pass 1: the headers (bytes are kept for pass 2, so each file is read once).
        var contents: [[UInt8]] = []
        var infos: [PNG.Info] = []
        contents.reserveCapacity(files.count)
        for path in files {
            do {
                let bytes: [UInt8]
                do { bytes = try FileReader.read(path, limit: 1 << 30) } catch {
                    throw PNGError(kind: .file, file: path, message: error.message)
                }
                infos.append(try PNG.info(bytes, name: path, pixelLimit: pixelLimit))
                contents.append(bytes)
            } catch {
                throw ImageFolderError(path: root, message: "\(error)")
            }
        }
        let channels = channels ?? (infos.contains(where: \.isColor) ? 3 : 1)
        let target: ImageSize
        if let size {
            target = size
        } else {
            let first = ImageSize(width: infos[0].width, height: infos[0].height)
            if let i = infos.firstIndex(where: { $0.width != first.width || $0.height != first.height }) {
                throw ImageFolderError(path: root, message: "images of different sizes: \(files[0]) is \(first) and \(files[i]) is \(infos[i].width)x\(infos[i].height) (give a size, --image-size WxH, to resize them all)")
            }
            target = first
        }
        let sampleCount = channels * target.height * target.width
        var scalars = [Float](repeating: 0, count: files.count * sampleCount)
        let resize = Resize(width: target.width, height: target.height)
        for (i, path) in files.enumerated() {
            var image: FloatImage
            do {
                image = FloatImage(try PNG.decode(contents[i], channels: channels, name: path, pixelLimit: pixelLimit))
            } catch {
                throw ImageFolderError(path: root, message: "\(error)")
            }
            contents[i] = []
            if image.width != target.width || image.height != target.height { image = resize.apply(image) }
            scalars.withUnsafeMutableBufferPointer { out in
                image.pixels.withUnsafeBufferPointer { src in
                    (out.baseAddress! + i * sampleCount).update(from: src.baseAddress!, count: sampleCount)
                }
            }
        }
        self.root = root
        self.files = files
        self.classNames = classes
        self.inputShape = layout.shape(channels: channels, height: target.height, width: target.width)
        self.dataset = TensorDataset(inputs: Tensor(shape: [files.count] + inputShape, scalars: scalars),
                                     labels: labels, classNames: classes)
    }

    /// The class folders (sorted by name) and their PNG files with labels.
    private static func listing(_ root: String) throws -> (classes: [String], files: [String], labels: [Int]) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ImageFolderError(path: root, message: "no such directory (expected root/<class>/*.png)")
        }
        let entries: [String]
        do { entries = try manager.contentsOfDirectory(atPath: root) } catch {
            throw ImageFolderError(path: root, message: "cannot list the directory")
        }
        let classes = entries.filter { name in
            var dir: ObjCBool = false
            return !name.hasPrefix(".") && manager.fileExists(atPath: root + "/" + name, isDirectory: &dir) && dir.boolValue
        }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard !classes.isEmpty else {
            throw ImageFolderError(path: root, message: "no class folders (expected root/<class>/*.png)")
        }
        var files: [String] = []
        var labels: [Int] = []
        for (label, name) in classes.enumerated() {
            let folder = root + "/" + name
            let names: [String]
            do { names = try manager.contentsOfDirectory(atPath: folder) } catch {
                throw ImageFolderError(path: folder, message: "cannot list the directory")
            }
            for file in names.filter({ !$0.hasPrefix(".") && $0.lowercased().hasSuffix(".png") })
                .sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                files.append(folder + "/" + file)
                labels.append(label)
            }
        }
        guard !files.isEmpty else {
            throw ImageFolderError(path: root, message: "no .png files in the \(classes.count) class folders")
        }
        return (classes, files, labels)
    }

    public var count: Int { dataset.count }
    public func example(at index: Int) -> (input: Tensor, label: Int) { dataset.example(at: index) }
    public func batch(_ indices: [Int]) -> (inputs: Tensor, labels: [Int]) { dataset.batch(indices) }
}

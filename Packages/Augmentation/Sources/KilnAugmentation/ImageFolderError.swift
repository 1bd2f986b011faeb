/// An image folder that cannot be loaded: missing root, no class folders, no images, an
/// unreadable or undecodable file (the PNG error's text, which names the file). One line.
public struct ImageFolderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The folder or file at fault.
    public var path: String
    /// What is wrong.
    public var message: String

    /// An error about `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

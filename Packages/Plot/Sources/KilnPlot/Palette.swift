/// The default series colours (a qualitative palette that stays distinct in print and for
/// the common colour-vision deficiencies); series without their own colour cycle through it.
public enum Palette {
    /// The colours in the order series take them, as SVG hex colours.
    public static let colors = [
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
        "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22",
    ]

    /// The colour of series `index` (cycling).
    public static func color(_ index: Int) -> String { colors[((index % colors.count) + colors.count) % colors.count] }
}

import Dashboard
import XCTest

/// The dashboard drawn at 80x24 and 120x40, in colour (Unicode) and mono (ASCII), compared with
/// the files in Snapshots/ (see SnapshotAssertion for re-recording).
final class RenderSnapshotTests: XCTestCase {
    private let colour = Theme(colors: true, unicode: true)
    private let mono = Theme(colors: false, unicode: false)

    func testColour80x24() {
        SnapshotAssertion.assertMatches(render(Fixtures.dashboard(), 80, 24, colour), named: "colour-80x24")
    }

    func testColour120x40() {
        SnapshotAssertion.assertMatches(render(Fixtures.dashboard(), 120, 40, colour), named: "colour-120x40")
    }

    func testMono80x24() {
        SnapshotAssertion.assertMatches(render(Fixtures.dashboard(), 80, 24, mono), named: "mono-80x24")
    }

    func testMono120x40() {
        SnapshotAssertion.assertMatches(render(Fixtures.dashboard(), 120, 40, mono), named: "mono-120x40")
    }

    func testHelpOverlay() {
        var state = Fixtures.dashboard()
        _ = state.handle(.character("?"), at: Fixtures.renderTime)
        SnapshotAssertion.assertMatches(render(state, 80, 24, mono), named: "help-mono-80x24")
    }

    func testCommandLineAndEntryDetail() {
        var state = Fixtures.dashboard()
        _ = state.handle(.character("3"), at: Fixtures.renderTime)
        _ = state.handle(.left, at: Fixtures.renderTime)
        _ = state.handle(.enter, at: Fixtures.renderTime)
        SnapshotAssertion.assertMatches(render(state, 80, 24, colour), named: "entry-colour-80x24")
        _ = state.handle(.escape, at: Fixtures.renderTime)
        for character in ":partition 1,2/3,4,5" { _ = state.handle(.character(character), at: Fixtures.renderTime) }
        SnapshotAssertion.assertMatches(render(state, 80, 24, mono), named: "command-mono-80x24")
    }

    /// Every size from tiny to large renders without trapping, and never writes outside the grid.
    func testOddSizesRender() {
        for (width, height) in [(1, 1), (20, 5), (79, 23), (200, 60)] {
            let grid = render(Fixtures.dashboard(), width, height, colour)
            XCTAssertEqual(grid.lines.count, height)
            XCTAssertTrue(grid.lines.allSatisfy { $0.count <= width })
        }
    }

    /// Mono output carries no colour at all, so NO_COLOR terminals see none.
    func testMonoHasNoColours() {
        let grid = render(Fixtures.dashboard(), 120, 40, mono)
        XCTAssertTrue(grid.cells.allSatisfy { $0.style.foreground == nil && $0.style.background == nil })
        XCTAssertTrue(grid.cells.allSatisfy { $0.character.isASCII })
    }

    private func render(_ state: DashboardState, _ width: Int, _ height: Int, _ theme: Theme) -> Grid {
        Renderer.render(state, width: width, height: height, at: Fixtures.renderTime, theme: theme)
    }
}

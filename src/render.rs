//! Rendering diagnostics: graphical for terminals, plain unicode for snapshots.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

/// Renders for a person: colour only when stderr is a terminal.
pub fn graphical(d: &dyn Diagnostic) -> String {
    use std::io::IsTerminal;
    let theme =
        if std::io::stderr().is_terminal() { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    render_with(d, theme)
}

/// Renders without colour, the same on every terminal (used by snapshot tests).
pub fn plain(d: &dyn Diagnostic) -> String {
    render_with(d, GraphicalTheme::unicode_nocolor())
}

fn render_with(d: &dyn Diagnostic, theme: GraphicalTheme) -> String {
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    if handler.render_report(&mut out, d).is_err() {
        out = format!("{d}\n");
    }
    out
}

//! Gas profile pages for `statetest --profile DIR`: one self-contained HTML page per case.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use ember_conformance::Case;
use ember_trace::Profile;

/// A file name made of `text`'s letters, digits, `-`, `_` and `.` (others become `_`),
/// at most `max` characters.
fn file_safe(text: &str, max: usize) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(max)
        .collect()
}

/// The page's path for `case` under `dir`: `<file>-<test>-<fork>-<index>.html`.
pub fn case_page(dir: &Path, case: &Case) -> PathBuf {
    let stem = case
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = format!(
        "{}-{}-{}-{}.html",
        file_safe(&stem, 60),
        file_safe(&case.name, 120),
        case.fork.fixture_name(),
        case.index
    );
    dir.join(name)
}

/// Writes `profile` of `case` as a page under `dir` (created when missing).
pub fn write_case_page(dir: &Path, case: &Case, profile: &Profile) -> io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let path = case_page(dir, case);
    let title = format!(
        "{} {}[{}] gas profile",
        case.name,
        case.fork.fixture_name(),
        case.index
    );
    fs::write(&path, profile.to_html(&title))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names() {
        assert_eq!(file_safe("a/b c:d.json", 100), "a_b_c_d.json");
        assert_eq!(file_safe("abcdef", 3), "abc");
    }
}

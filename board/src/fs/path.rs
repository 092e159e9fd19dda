//! Paths inside the filesystem: lexical normalisation and the limits littlefs2
//! puts on them.

use littlefs2::path::PathBuf;

use super::FsError;

/// Longest path littlefs2 accepts, in bytes (without the trailing NUL).
pub const PATH_MAX: usize = PathBuf::MAX_SIZE;

/// `path` made absolute and normalised lexically: `//` and `.` vanish, `..`
/// drops the previous name and stays at the root.
///
/// Rejects an empty path (`ENOENT`, as POSIX does), a NUL byte (`EINVAL`), a
/// path over [`PATH_MAX`] bytes ([`FsError::PathTooLong`], `ENAMETOOLONG`:
/// such a path only comes from joining names listed on an image another tool
/// made, or from a caller) and non-ASCII names, which littlefs2 cannot carry.
pub fn normalise(path: &str) -> Result<String, FsError> {
    let normal = normalise_fat(path)?;
    if !normal.is_ascii() {
        return Err(FsError::Unsupported(format!("non-ASCII path {normal:?} (littlefs2 paths are ASCII)")));
    }
    Ok(normal)
}

/// [`normalise`] for FAT, whose long names are Unicode: the same checks but
/// the ASCII one.
pub fn normalise_fat(path: &str) -> Result<String, FsError> {
    if path.is_empty() {
        return Err(FsError::NotFound);
    }
    if path.contains('\0') {
        return Err(FsError::InvalidPath);
    }
    let normal = clean(path);
    if normal.len() > PATH_MAX {
        return Err(FsError::PathTooLong { bytes: normal.len() });
    }
    Ok(normal)
}

/// The lexical part of [`normalise`]: absolute, without `//`, `.` and `..`
/// (which stays at the root). Also used for paths as scripts and the command
/// line give them.
pub fn clean(path: &str) -> String {
    let mut names: Vec<&str> = Vec::new();
    for name in path.split('/') {
        match name {
            "" | "." => {}
            ".." => {
                names.pop();
            }
            name => names.push(name),
        }
    }
    format!("/{}", names.join("/"))
}

/// The littlefs2 form of a normalised path.
pub fn lfs_path(normal: &str) -> Result<PathBuf, FsError> {
    PathBuf::try_from(normal).map_err(|_| FsError::InvalidPath)
}

/// Whether `inner` is `outer` itself or lies below it (both normalised).
pub fn is_within(inner: &str, outer: &str) -> bool {
    inner == outer || outer == "/" || inner.strip_prefix(outer).is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_is_lexical() {
        assert_eq!(normalise("/").unwrap(), "/");
        assert_eq!(normalise("main.py").unwrap(), "/main.py");
        assert_eq!(normalise("//lib/./x.py/").unwrap(), "/lib/x.py");
        assert_eq!(normalise("/lib/../../../boot.py").unwrap(), "/boot.py");
        assert_eq!(normalise("/..").unwrap(), "/");
    }

    #[test]
    fn bad_paths_are_refused() {
        assert!(matches!(normalise(""), Err(FsError::NotFound)));
        assert!(matches!(normalise("/a\0b"), Err(FsError::InvalidPath)));
        assert!(matches!(normalise(&"a".repeat(255)), Err(FsError::PathTooLong { bytes: 256 })));
        assert!(normalise(&"a".repeat(254)).is_ok());
        assert!(matches!(normalise("/caf\u{e9}"), Err(FsError::Unsupported(_))));
    }

    #[test]
    fn containment_respects_name_boundaries() {
        assert!(is_within("/a/b", "/a"));
        assert!(is_within("/a", "/a"));
        assert!(is_within("/x", "/"));
        assert!(!is_within("/ab", "/a"));
    }
}

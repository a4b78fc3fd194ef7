//! Files eip creates, and the few it reads back (docs/SECURITY.md, "Files eip creates, and files
//! it reads back"): created mode 0600 whatever the umask, never through a symbolic link, never
//! into a FIFO or a device; read without ever blocking on something that is not a regular file.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Kind, Result};
use crate::i18n::{t, tf};

/// What to do when the path already names a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Refuse (an `AlreadyExists` io error): activation codes are never written over a file.
    Refuse,
    /// Empty it and write anew: `-o` exports, as they always have.
    Replace,
    /// Keep its contents (the database: SQLite decides whether it is one); made private only
    /// while it is still empty, so a refused `init` changes nothing about an existing file.
    Keep,
}

/// What a path is, in words, when it is not a regular file.
pub fn kind_word(ft: &std::fs::FileType) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return t("file.kind.fifo").to_string();
        }
        if ft.is_block_device() || ft.is_char_device() {
            return t("file.kind.device").to_string();
        }
        if ft.is_socket() {
            return t("file.kind.socket").to_string();
        }
    }
    if ft.is_dir() {
        return t("file.kind.dir").to_string();
    }
    if ft.is_symlink() {
        return t("file.kind.link").to_string();
    }
    t("file.kind.other").to_string()
}

fn link_error(path: &Path) -> anyhow::Error {
    Error::new(Kind::Refused, tf("file.link", &[("path", &path.display())])).hint(t("file.link.hint")).into()
}

fn not_regular_error(path: &Path, kind: &str) -> anyhow::Error {
    Error::new(Kind::Refused, tf("file.not_regular", &[("path", &path.display()), ("kind", &kind)]))
        .hint(t("file.not_regular.hint"))
        .into()
}

/// Whether an error is the `AlreadyExists` of [`Existing::Refuse`].
pub fn already_exists(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::AlreadyExists))
}

/// Create (or, by `existing`, reuse) a private file for writing: mode 0600 whatever the umask,
/// refused (exit 5) when the path is a symbolic link, a FIFO, a device or a directory.
pub fn create_private(path: &Path, existing: Existing) -> Result<File> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => return Err(link_error(path)),
        Ok(m) if !m.is_file() => return Err(not_regular_error(path, &kind_word(&m.file_type()))),
        Ok(_) if existing == Existing::Refuse => {
            return Err(anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::AlreadyExists))
                .context(tf("file.cannot_create", &[("path", &path.display())])))
        }
        _ => {}
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if existing == Existing::Refuse {
        opts.create_new(true);
    } else {
        opts.create(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NOFOLLOW: a link put in place after the check above is refused, not followed;
        // O_NONBLOCK: a FIFO put there is refused (ENXIO) instead of waiting for a reader.
        opts.mode(0o600).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = opts.open(path).map_err(|e| {
        #[cfg(unix)]
        match e.raw_os_error() {
            Some(libc::ELOOP) => return link_error(path),
            Some(libc::ENXIO) => return not_regular_error(path, t("file.kind.fifo")),
            _ => {}
        }
        anyhow::Error::new(e).context(tf("file.cannot_create", &[("path", &path.display())]))
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular_error(path, &kind_word(&meta.file_type())));
    }
    if existing == Existing::Replace {
        file.set_len(0)?;
    }
    #[cfg(unix)]
    if existing != Existing::Keep || meta.len() == 0 {
        use std::os::unix::fs::PermissionsExt;
        // fchmod on the open file: the umask can only have taken bits away from 0600, and a
        // file that existed keeps its old mode until told otherwise.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Why a file could not be read by [`read_regular`].
#[derive(Debug)]
pub enum Unreadable {
    Missing,
    /// A symbolic link, FIFO, device, directory or socket (in words).
    NotRegular(String),
    /// Longer than the limit given.
    TooLong,
    Io(std::io::Error),
}

/// Read a small regular file whole, never following a link at its last component and never
/// blocking on a FIFO or a device (it is checked before opening, opened non-blocking, and
/// checked again once open).
pub fn read_regular(path: &Path, limit: u64) -> std::result::Result<Vec<u8>, Unreadable> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Unreadable::Missing),
        Err(e) => return Err(Unreadable::Io(e)),
    };
    if !meta.is_file() {
        return Err(Unreadable::NotRegular(kind_word(&meta.file_type())));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = opts.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Unreadable::Missing,
        _ if e.raw_os_error() == Some(libc_eloop()) => Unreadable::NotRegular(t("file.kind.link").to_string()),
        _ => Unreadable::Io(e),
    })?;
    let meta = file.metadata().map_err(Unreadable::Io)?;
    if !meta.is_file() {
        return Err(Unreadable::NotRegular(kind_word(&meta.file_type())));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(Unreadable::Io)?;
    if bytes.len() as u64 > limit {
        return Err(Unreadable::TooLong);
    }
    Ok(bytes)
}

#[cfg(unix)]
fn libc_eloop() -> i32 {
    libc::ELOOP
}
#[cfg(not(unix))]
fn libc_eloop() -> i32 {
    -1
}

/// The mode bits of a file, if it exists (unix).
#[cfg(unix)]
pub fn mode_of(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o777)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_private_refuses_links_and_keeps_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t");
        std::fs::write(&target, b"keep").unwrap();
        let link = dir.path().join("l");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&target, &link).unwrap();
            assert!(create_private(&link, Existing::Replace).is_err());
            assert!(create_private(&link, Existing::Refuse).is_err());
            assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        }
        let new = dir.path().join("n");
        create_private(&new, Existing::Refuse).unwrap();
        assert!(already_exists(&create_private(&new, Existing::Refuse).unwrap_err()));
        #[cfg(unix)]
        assert_eq!(mode_of(&new), Some(0o600));
    }

    #[test]
    fn read_regular_limits_and_refuses_directories() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(read_regular(dir.path(), 10), Err(Unreadable::NotRegular(_))));
        assert!(matches!(read_regular(&dir.path().join("none"), 10), Err(Unreadable::Missing)));
        let f = dir.path().join("f");
        std::fs::write(&f, b"0123456789A").unwrap();
        assert!(matches!(read_regular(&f, 10), Err(Unreadable::TooLong)));
        assert_eq!(read_regular(&f, 11).unwrap(), b"0123456789A");
    }
}

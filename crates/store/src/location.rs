//! Where a database may live: on a local disk only.
//!
//! SQLite's file locking is unreliable on network file systems (NFS, SMB/CIFS), and WAL
//! needs shared memory that they do not provide, so a database there can be corrupted
//! by two PCs at once. We refuse such locations with a clear message instead.

use std::path::{Path, PathBuf};

/// The data folder is on a network drive.
#[derive(Debug, thiserror::Error)]
#[error("データの保存先 {path} はネットワークドライブ（{kind}）です。共済デスクのデータはこのPCのローカルディスクに置いてください（ローミングプロファイルやネットワークドライブは使えません）。")]
pub struct LocationError {
    pub path: PathBuf,
    pub kind: &'static str,
}

/// Refuses `dir` when it is on a network file system.
pub fn check_local_path(dir: &Path) -> Result<(), LocationError> {
    match network_fs_kind(dir) {
        Some(kind) => Err(LocationError {
            path: dir.to_path_buf(),
            kind,
        }),
        None => Ok(()),
    }
}

#[cfg(target_os = "linux")]
fn network_fs_kind(dir: &Path) -> Option<&'static str> {
    // Magic numbers from linux/magic.h and the SMB/CIFS/FUSE headers.
    const NFS: i64 = 0x6969;
    const SMB: i64 = 0x517B;
    const SMB2: i64 = 0xFE53_4D42;
    const CIFS: i64 = 0xFF53_4D42;
    const CODA: i64 = 0x7375_7245;
    const AFS: i64 = 0x5346_414F;
    const NCP: i64 = 0x564C;
    const CEPH: i64 = 0x00C3_6400;
    let stat = rustix::fs::statfs(dir).ok()?;
    #[allow(clippy::unnecessary_cast)]
    let kind = stat.f_type as i64;
    match kind {
        NFS => Some("NFS"),
        SMB | SMB2 | CIFS => Some("SMB/CIFS"),
        CODA => Some("Coda"),
        AFS => Some("AFS"),
        NCP => Some("NetWare"),
        CEPH => Some("Ceph"),
        _ => None,
    }
}

#[cfg(windows)]
fn network_fs_kind(dir: &Path) -> Option<&'static str> {
    // UNC paths (\\server\share, \\?\UNC\...) are network locations. Mapped drive letters
    // are caught at install time by the IT guide's policy (local AppData only).
    let s = dir.as_os_str().to_string_lossy();
    if s.starts_with(r"\\?\UNC\") || (s.starts_with(r"\\") && !s.starts_with(r"\\?\")) {
        Some("UNC")
    } else {
        None
    }
}

#[cfg(not(any(target_os = "linux", windows)))]
fn network_fs_kind(_dir: &Path) -> Option<&'static str> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_temp_dir_is_accepted() {
        let dir = std::env::temp_dir();
        assert!(check_local_path(&dir).is_ok());
    }

    #[test]
    fn message_tells_the_clerk_what_to_do() {
        let e = LocationError {
            path: PathBuf::from("/mnt/share"),
            kind: "NFS",
        };
        let msg = e.to_string();
        assert!(msg.contains("ネットワークドライブ"));
        assert!(msg.contains("ローカルディスク"));
    }
}

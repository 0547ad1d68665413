//! The seam under configfs-tsm (`/sys/kernel/config/tsm/report`): the few file operations the
//! report protocol uses, on paths relative to the report root.
//!
//! [`StdTsmFs`] performs them on the real file system; a simulator implements them in memory
//! (configfs computes `outblob` when it is read, which no plain directory can do).

use std::io;
use std::path::{Path, PathBuf};

/// File operations on a configfs-tsm report tree. Paths are relative to the root
/// (`<entry>` or `<entry>/<attribute>`).
pub trait TsmFs {
    /// Whether the root exists (configfs mounted and the TSM report interface present).
    fn root_exists(&self) -> bool;
    /// `mkdir <root>/<entry>`: fails with `AlreadyExists` if the name is taken.
    fn create_entry(&mut self, entry: &str) -> io::Result<()>;
    /// `rmdir <root>/<entry>`.
    fn remove_entry(&mut self, entry: &str) -> io::Result<()>;
    /// Writes a whole attribute (`inblob`, `privlevel`, `service_provider`, ...).
    fn write_attr(&mut self, entry: &str, attr: &str, value: &[u8]) -> io::Result<()>;
    /// Reads a whole attribute (`outblob`, `auxblob`, `manifestblob`, `provider`, `generation`,
    /// `privlevel_floor`, ...), at most `max` bytes.
    fn read_attr(&mut self, entry: &str, attr: &str, max: usize) -> io::Result<Vec<u8>>;
}

/// configfs-tsm on the real file system, under `root` (by default
/// `/sys/kernel/config/tsm/report`).
#[derive(Debug, Clone)]
pub struct StdTsmFs {
    root: PathBuf,
}

impl StdTsmFs {
    /// The kernel's report root.
    pub const DEFAULT_ROOT: &'static str = "/sys/kernel/config/tsm/report";

    /// The tree at the default root.
    pub fn new() -> Self {
        Self::at(Self::DEFAULT_ROOT)
    }

    /// The tree at `root`.
    pub fn at(root: impl AsRef<Path>) -> Self {
        StdTsmFs {
            root: root.as_ref().to_path_buf(),
        }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Default for StdTsmFs {
    fn default() -> Self {
        Self::new()
    }
}

impl TsmFs for StdTsmFs {
    fn root_exists(&self) -> bool {
        self.root.is_dir()
    }

    fn create_entry(&mut self, entry: &str) -> io::Result<()> {
        std::fs::create_dir(self.root.join(entry))
    }

    fn remove_entry(&mut self, entry: &str) -> io::Result<()> {
        std::fs::remove_dir(self.root.join(entry))
    }

    fn write_attr(&mut self, entry: &str, attr: &str, value: &[u8]) -> io::Result<()> {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(self.root.join(entry).join(attr))?;
        f.write_all(value)
    }

    fn read_attr(&mut self, entry: &str, attr: &str, max: usize) -> io::Result<Vec<u8>> {
        use std::io::Read as _;
        let f = std::fs::File::open(self.root.join(entry).join(attr))?;
        let mut out = Vec::new();
        f.take(max as u64 + 1).read_to_end(&mut out)?;
        if out.len() > max {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{attr} is larger than {max} bytes"),
            ));
        }
        Ok(out)
    }
}

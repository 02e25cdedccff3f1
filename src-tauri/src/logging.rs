//! Logs to daily-rotated files in the profile's log folder (14 days kept unless the machine
//! policy's `logRetentionDays` says otherwise).
//!
//! Log lines carry codes, ids and timings; never personal data such as 個人番号. As a last
//! line of defence every line passes through [`redact_my_numbers`] on its way to the file
//! (a 12-digit value with a valid My Number check digit becomes 「[個人番号]」), and a panic
//! — the app's crash report — is logged the same way instead of Rust's default message on
//! standard error.

use std::io::{self, Write};
use std::path::Path;

use kyosai_domain::ids::redact_my_numbers;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// Starts logging, keeping `keep_days` daily files; keep the guard alive for the life of
/// the app so lines are flushed.
pub fn init(dir: &Path, keep_days: u32) -> Result<WorkerGuard, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("kyosai-desk")
        .filename_suffix("log")
        .max_log_files(usize::try_from(keep_days).unwrap_or(usize::MAX).max(1))
        .build(dir)
        .map_err(|e| e.to_string())?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("KYOSAI_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tao=warn,wry=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Redacting(writer))
        .with_ansi(false)
        .try_init()
        .map_err(|e| e.to_string())?;
    install_panic_hook();
    Ok(guard)
}

/// A panic is logged (where, and the message redacted) rather than printed raw.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = redact_my_numbers(&payload);
        tracing::error!(%location, message = %message, "the app panicked");
        let _ = writeln!(
            io::stderr(),
            "共済デスク: 内部エラー ({location}): {message}"
        );
    }));
}

/// Makes writers that redact 個人番号 from what they are given.
#[derive(Debug, Clone)]
pub struct Redacting<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.make_writer())
    }
}

/// A writer that redacts each buffer it is given. The log formatter hands over one whole
/// line per write, so a number is never split between two writes.
#[derive(Debug)]
pub struct RedactingWriter<W>(W);

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text) => {
                self.0.write_all(redact_my_numbers(text).as_bytes())?;
                Ok(buf.len())
            }
            // Not text: written as is (the formatter writes UTF-8 only).
            Err(_) => self.0.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn log_lines_never_carry_a_my_number() {
        let buffer = Buffer::default();
        let sink = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(Redacting(move || sink.clone()))
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(form = %"{\"myNumber\":\"123456789018\"}", "saved");
            tracing::warn!("typed 1234-5678-9018 by mistake; amount 123456789019");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(!text.contains("123456789018") && !text.contains("1234-5678-9018"));
        assert_eq!(text.matches("[個人番号]").count(), 2, "{text}");
        // Not a My Number (check digit): kept.
        assert!(text.contains("123456789019"));
    }
}

//! `installer/verify-update FILE [SIG] [PUB]`: checks an update artifact's signature with
//! the app's own verifier, `kyosai_app::update::verify_file` — the function the app's
//! updater runs on every download before anything else opens the file — so a release is
//! checked by the same code as the PCs will check it, not only by the minisign tool.
//!
//! SIG defaults to FILE.sig (the Tauri signer's `.sig`: base64 of a minisign signature),
//! PUB to the public key built into the app (installer/keys/updater.pub; a rehearsal passes
//! its throwaway key's `.pub`). Exit 0: verified; 1: refused (the app's code and message on
//! standard error); 2: bad arguments or unreadable files.
//!
//! Built by installer/verify-update against the workspace's Cargo.lock; not a member of
//! the workspace (it is a release tool, not part of the app).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use kyosai_app::update;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (file, sig, key) = match args.as_slice() {
        [file] => (
            PathBuf::from(file),
            PathBuf::from(format!("{file}.sig")),
            None,
        ),
        [file, sig] => (PathBuf::from(file), PathBuf::from(sig), None),
        [file, sig, key] => (
            PathBuf::from(file),
            PathBuf::from(sig),
            Some(PathBuf::from(key)),
        ),
        _ => {
            let _ = writeln!(
                std::io::stderr(),
                "使い方: installer/verify-update FILE [FILE.sig] [updater.pub]"
            );
            return ExitCode::from(2);
        }
    };
    let signature = match std::fs::read_to_string(&sig) {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "{}: {e}", sig.display());
            return ExitCode::from(2);
        }
    };
    let public_key = match &key {
        None => update::BUILT_IN_PUBLIC_KEY.to_string(),
        Some(path) => match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "{}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
    };
    if !file.is_file() {
        let _ = writeln!(
            std::io::stderr(),
            "{}: ファイルがありません",
            file.display()
        );
        return ExitCode::from(2);
    }
    match update::verify_file(&file, &signature, &public_key) {
        Ok(()) => {
            let _ = writeln!(std::io::stdout(), "verified {}", file.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            // The app's own message speaks of a download it deleted; here nothing is
            // deleted, so say what the code means for this file.
            let why = match e.code.as_str() {
                update::codes::SIGNATURE_INVALID => {
                    "ファイルが署名と一致しないか、別の鍵の署名です"
                }
                update::codes::SIGNATURE_MISSING => "署名が空です",
                update::codes::KEY_INVALID => "公開鍵を読めません",
                _ => e.message.as_str(),
            };
            let _ = writeln!(
                std::io::stderr(),
                "refused {} ({}): {why}。アプリの更新機能はこのファイルを受け付けません。",
                file.display(),
                e.code,
            );
            ExitCode::from(1)
        }
    }
}

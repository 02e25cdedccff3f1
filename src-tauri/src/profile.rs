//! Profiles: several people (or test users) on one PC, each with their own data.
//!
//! `--profile NAME` or `KYOSAI_PROFILE=NAME` selects a profile; without either it is
//! `default`. Each profile has its own folder under the app's local (not roaming) data
//! directory — database, logs, window state — and its own single-instance lock.
//! `KYOSAI_DATA_DIR` moves the whole tree (IT can point it at another local disk; the
//! tests point it at a temporary folder).

use std::path::{Path, PathBuf};

/// A validated profile name: 1–32 of `a-z 0-9 _ -`, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile(String);

impl Profile {
    pub fn parse(name: &str) -> Result<Profile, String> {
        let ok = !name.is_empty()
            && name.len() <= 32
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric());
        if ok {
            Ok(Profile(name.to_string()))
        } else {
            Err(format!(
                "プロファイル名「{name}」は使えません。半角英小文字・数字・_・- の32文字以内で指定してください。"
            ))
        }
    }

    /// From the command line first, then the environment, else `default`.
    pub fn from_args_and_env(args: &[String], env: Option<String>) -> Result<Profile, String> {
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if let Some(v) = a.strip_prefix("--profile=") {
                return Profile::parse(v);
            }
            if a == "--profile" {
                return match it.next() {
                    Some(v) => Profile::parse(v),
                    None => Err("--profile の後にプロファイル名を指定してください。".into()),
                };
            }
        }
        match env {
            Some(v) if !v.is_empty() => Profile::parse(&v),
            _ => Ok(Profile("default".into())),
        }
    }

    pub fn name(&self) -> &str {
        &self.0
    }

    /// A D-Bus / mutex friendly id for the single-instance lock of this profile.
    pub fn instance_id(&self, identifier: &str) -> String {
        format!("{identifier}.p_{}", self.0.replace('-', "_"))
    }
}

/// The folders of one profile.
#[derive(Debug, Clone)]
pub struct ProfilePaths {
    pub root: PathBuf,
    pub database: PathBuf,
    pub logs: PathBuf,
}

impl ProfilePaths {
    pub fn new(base: &Path, profile: &Profile) -> ProfilePaths {
        let root = base.join("profiles").join(profile.name());
        ProfilePaths {
            database: root.join("kyosai.sqlite3"),
            logs: root.join("logs"),
            root,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn command_line_wins_over_environment() {
        let p =
            Profile::from_args_and_env(&args(&["app", "--profile", "clerk1"]), Some("x".into()));
        assert_eq!(p.unwrap().name(), "clerk1");
        let p = Profile::from_args_and_env(&args(&["app", "--profile=head"]), None);
        assert_eq!(p.unwrap().name(), "head");
        let p = Profile::from_args_and_env(&args(&["app"]), Some("reviewer".into()));
        assert_eq!(p.unwrap().name(), "reviewer");
        let p = Profile::from_args_and_env(&args(&["app"]), None);
        assert_eq!(p.unwrap().name(), "default");
    }

    #[test]
    fn names_that_could_escape_the_folder_are_refused() {
        for bad in ["", "../x", "A", "a/b", "-x", "あ", &"a".repeat(33)] {
            assert!(Profile::parse(bad).is_err(), "{bad}");
        }
        assert!(Profile::from_args_and_env(&args(&["app", "--profile"]), None).is_err());
    }

    #[test]
    fn each_profile_has_its_own_folder_and_lock() {
        let base = Path::new("/data");
        let a = Profile::parse("clerk-1").unwrap();
        let b = Profile::parse("clerk_2").unwrap();
        assert_ne!(
            ProfilePaths::new(base, &a).database,
            ProfilePaths::new(base, &b).database
        );
        assert_eq!(a.instance_id("jp.kyosai.desk"), "jp.kyosai.desk.p_clerk_1");
    }
}

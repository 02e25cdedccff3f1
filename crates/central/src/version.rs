//! App version comparison for `min_app_version` (`MAJOR.MINOR.PATCH`, an optional
//! `-pre-release` sorting before the release, as in semver).

use std::cmp::Ordering;

/// A parsed app version: its numeric parts and whether it is a pre-release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppVersion {
    parts: Vec<u64>,
    pre_release: bool,
}

/// Parses `0.3.0`, `1.2`, `0.3.0-beta.1` (build metadata after `+` is ignored).
pub fn parse(s: &str) -> Option<AppVersion> {
    let s = s.trim();
    let s = s.split('+').next().unwrap_or(s);
    let (core, pre_release) = match s.split_once('-') {
        Some((core, pre)) if !pre.is_empty() => (core, true),
        Some(_) => return None,
        None => (s, false),
    };
    let parts: Option<Vec<u64>> = core.split('.').map(|p| p.parse().ok()).collect();
    let parts = parts?;
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    Some(AppVersion { parts, pre_release })
}

impl Ord for AppVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.parts.len().max(other.parts.len());
        for i in 0..n {
            let a = self.parts.get(i).copied().unwrap_or(0);
            let b = other.parts.get(i).copied().unwrap_or(0);
            match a.cmp(&b) {
                Ordering::Equal => continue,
                o => return o,
            }
        }
        // 0.3.0-beta < 0.3.0
        other.pre_release.cmp(&self.pre_release)
    }
}

impl PartialOrd for AppVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The routes an app older than `min_app_version` may still use: signing in, renewing
/// the session and signing out. The app can then sign in, fetch the release the service
/// asks for (`/updates` checks no minimum either) and show the clerk the update message,
/// which the first sync brings back (426 `client.too_old`); everything else — sync,
/// directory, dashboards — is refused. Signing out stays open so that an old app can
/// still end its session on the server.
pub const OPEN_TO_OLD_APPS: &[&str] = &["/auth/v1/login", "/auth/v1/refresh", "/auth/v1/logout"];

/// Whether `min_app_version` applies to the route (axum's matched path, `None` when
/// unknown: then it applies).
pub fn minimum_applies_to(route: Option<&str>) -> bool {
    route.is_none_or(|r| !OPEN_TO_OLD_APPS.contains(&r))
}

/// Whether an app reporting `app` (or nothing) is older than `min`. An unreadable or
/// missing version counts as too old: the server cannot vouch for it.
pub fn is_too_old(app: Option<&str>, min: &str) -> bool {
    let Some(min) = parse(min) else {
        return false;
    };
    match app.and_then(parse) {
        Some(app) => app < min,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_like_semver() {
        assert!(is_too_old(Some("0.1.0"), "0.2.0"));
        assert!(is_too_old(Some("0.2.0-beta.1"), "0.2.0"));
        assert!(!is_too_old(Some("0.2.0"), "0.2.0"));
        assert!(!is_too_old(Some("0.10.0"), "0.9.5"));
        assert!(!is_too_old(Some("1.0"), "0.9.5"));
        assert!(is_too_old(None, "0.1.0"));
        assert!(is_too_old(Some("garbage"), "0.1.0"));
        assert!(parse("1.2.3.4.5").is_none());
        assert!(parse("1.2.3-").is_none());
    }

    #[test]
    fn sign_in_is_open_to_old_apps_and_nothing_else() {
        assert!(!minimum_applies_to(Some("/auth/v1/login")));
        assert!(!minimum_applies_to(Some("/auth/v1/refresh")));
        assert!(!minimum_applies_to(Some("/auth/v1/logout")));
        assert!(minimum_applies_to(Some("/sync/v1/pull")));
        assert!(minimum_applies_to(Some("/auth/v1/login/")));
        assert!(minimum_applies_to(None));
    }
}

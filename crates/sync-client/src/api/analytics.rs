//! `GET /analytics/v1/dashboard`: the 見える化 figures the central service computes from
//! the cases, approval histories, work sessions and OCR documents it keeps.

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::Api;
use crate::error::SyncError;

/// What the dashboard is asked for: dates as `YYYY-MM-DD` (Japan dates, inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DashboardParams {
    pub from: String,
    pub to: String,
    /// One office's code, or all the signed-in user may see.
    pub office: Option<String>,
    /// The day of a before/after comparison.
    pub compare_at: Option<String>,
}

impl DashboardParams {
    /// The path with its query string, every value form-encoded.
    pub fn path(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("from", &self.from)
            .append_pair("to", &self.to);
        if let Some(office) = self.office.as_deref().filter(|o| !o.is_empty()) {
            q.append_pair("office", office);
        }
        if let Some(at) = self.compare_at.as_deref().filter(|a| !a.is_empty()) {
            q.append_pair("compareAt", at);
        }
        format!("analytics/v1/dashboard?{}", q.finish())
    }
}

impl Api {
    /// `GET /analytics/v1/dashboard?from=…&to=…[&office=…][&compareAt=…]`, read as `T`
    /// (the app reads `kyosai_domain::flow::Dashboard`). Refusals come back with the
    /// server's code and Japanese message: 403 `analytics.forbidden` (a role that may not
    /// see the figures, or another office's), 400 for a bad period.
    pub async fn analytics_dashboard<T: DeserializeOwned>(
        &self,
        access_token: &str,
        params: &DashboardParams,
    ) -> Result<T, SyncError> {
        self.send(
            Method::GET,
            &params.path(),
            Some(access_token),
            None::<&()>,
            None,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::DashboardParams;

    #[test]
    fn path_carries_only_the_given_filters() {
        let p = DashboardParams {
            from: "2025-04-01".into(),
            to: "2026-03-31".into(),
            office: None,
            compare_at: Some(String::new()),
        };
        assert_eq!(
            p.path(),
            "analytics/v1/dashboard?from=2025-04-01&to=2026-03-31"
        );
        let p = DashboardParams {
            office: Some("13101&x".into()),
            compare_at: Some("2025-10-01".into()),
            ..p
        };
        assert_eq!(
            p.path(),
            "analytics/v1/dashboard?from=2025-04-01&to=2026-03-31&office=13101%26x&compareAt=2025-10-01"
        );
    }
}
